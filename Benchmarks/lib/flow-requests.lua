-- wrk script: POST pre-encrypted Flow requests round-robin (each with its own AES key, so the
-- server does one RSA-OAEP private-key operation per request, as with real clients).
-- Environment: SB_REQUESTS_FILE (one "<signature>\t<body>" per line), SB_PATH.
local requests = {}
local index = 0

function init(args)
  for line in io.lines(os.getenv("SB_REQUESTS_FILE")) do
    local tab = string.find(line, "\t", 1, true)
    requests[#requests + 1] = { signature = string.sub(line, 1, tab - 1), body = string.sub(line, tab + 1) }
  end
  index = math.random(0, #requests - 1)
end

function request()
  index = index % #requests + 1
  local r = requests[index]
  return wrk.format("POST", os.getenv("SB_PATH"), {
    ["Content-Type"] = "application/json",
    ["X-Hub-Signature-256"] = r.signature,
  }, r.body)
end
