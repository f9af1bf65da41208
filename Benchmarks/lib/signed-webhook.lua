-- wrk script: POST the same signed 2 KB JSON body with a unique X-Delivery per request, so
-- every request is a new inbox item (no dedupe). The signature covers the body only.
-- Environment: SB_BODY_FILE (the body), SB_SIGNATURE ("sha256=<hex>").
local body, signature
local counter = 0
local thread_tag = ""

function setup(thread)
  thread:set("tag", tostring(math.random(1, 1e9)))
end

function init(args)
  local f = assert(io.open(os.getenv("SB_BODY_FILE"), "rb"))
  body = f:read("*a")
  f:close()
  signature = os.getenv("SB_SIGNATURE")
  thread_tag = tag or tostring(math.random(1, 1e9))
end

function request()
  counter = counter + 1
  return wrk.format("POST", "/webhookkit/hook", {
    ["Content-Type"] = "application/json",
    ["X-Signature"] = signature,
    ["X-Delivery"] = thread_tag .. "-" .. counter,
  }, body)
end
