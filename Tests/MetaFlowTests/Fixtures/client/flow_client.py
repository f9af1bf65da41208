#!/usr/bin/env python3
"""A WhatsApp Flows client for testing a Flow data endpoint, written with `cryptography`
(Debian: python3-cryptography), independently of the server's Swift/OpenSSL code.

  flow_client.py keygen --out DIR [--passphrase-env VAR]
      writes DIR/private.pem (2048-bit RSA, PKCS#8; encrypted when the variable is set)
      and DIR/public.pem (SPKI), like `openssl genrsa` + `openssl rsa -pubout`.

  flow_client.py walk --url URL --public-key PEM --app-secret-env VAR < requests.json
      requests.json is a JSON list of decrypted Flow requests. Each is sent the way Meta's
      client does: a fresh AES-128 key and 16-byte IV, AES-GCM (tag last), the key wrapped
      with RSA-OAEP-SHA256/MGF1-SHA256, the body signed with X-Hub-Signature-256. Every other
      body escapes "/" as "\\/" (as Meta's sample does). Prints one JSON object per request:
      {"status": N, "content_type": ..., "answer": <decrypted JSON or null>}. Exits 1 when an
      answer that should be encrypted does not decrypt.

Secrets come from environment variables, never from the command line (ps shows it).
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import sys
import urllib.error
import urllib.request

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def keygen(args):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    passphrase = os.environ.get(args.passphrase_env, "") if args.passphrase_env else ""
    encryption = (serialization.BestAvailableEncryption(passphrase.encode())
                  if passphrase else serialization.NoEncryption())
    os.makedirs(args.out, exist_ok=True)
    private_path = os.path.join(args.out, "private.pem")
    with open(os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption))
    with open(os.path.join(args.out, "public.pem"), "wb") as f:
        f.write(key.public_key().public_bytes(serialization.Encoding.PEM,
                                              serialization.PublicFormat.SubjectPublicKeyInfo))
    print(private_path)


def send(url, public_key, secret, request, escape_slashes):
    aes_key = os.urandom(16)
    iv = os.urandom(16)
    plaintext = json.dumps(request, ensure_ascii=False).encode()
    sealed = AESGCM(aes_key).encrypt(iv, plaintext, None)  # ciphertext followed by the 16-byte tag
    wrapped = public_key.encrypt(aes_key, padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()),
                                                       algorithm=hashes.SHA256(), label=None))
    body = json.dumps({
        "encrypted_flow_data": base64.b64encode(sealed).decode(),
        "encrypted_aes_key": base64.b64encode(wrapped).decode(),
        "initial_vector": base64.b64encode(iv).decode(),
    })
    if escape_slashes:
        body = body.replace("/", "\\/")
    raw = body.encode()
    signature = "sha256=" + hmac.new(secret, raw, hashlib.sha256).hexdigest()
    http_request = urllib.request.Request(url, data=raw, method="POST", headers={
        "Content-Type": "application/json", "X-Hub-Signature-256": signature})
    try:
        with urllib.request.urlopen(http_request, timeout=10) as response:
            status, content_type, answer = response.status, response.headers.get("Content-Type"), response.read()
    except urllib.error.HTTPError as error:
        status, content_type, answer = error.code, error.headers.get("Content-Type"), error.read()
    result = {"status": status, "content_type": content_type, "answer": None}
    if status in (200, 427):
        flipped = bytes(b ^ 0xFF for b in iv)
        decrypted = AESGCM(aes_key).decrypt(flipped, base64.b64decode(answer, validate=True), None)
        result["answer"] = json.loads(decrypted)
    return result


def walk(args):
    secret = os.environ.get(args.app_secret_env, "")
    if not secret:
        sys.exit(f"error: ${args.app_secret_env} is not set")
    with open(args.public_key, "rb") as f:
        public_key = serialization.load_pem_public_key(f.read())
    requests = json.load(sys.stdin)
    failed = False
    for index, request in enumerate(requests):
        try:
            result = send(args.url, public_key, secret.encode(), request, escape_slashes=index % 2 == 1)
        except Exception as error:  # a failed decryption or a broken answer: report it, go on
            result = {"status": None, "content_type": None, "answer": None, "error": repr(error)}
            failed = True
        print(json.dumps(result, ensure_ascii=False), flush=True)
    sys.exit(1 if failed else 0)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    k = commands.add_parser("keygen")
    k.add_argument("--out", required=True)
    k.add_argument("--passphrase-env")
    w = commands.add_parser("walk")
    w.add_argument("--url", required=True)
    w.add_argument("--public-key", required=True)
    w.add_argument("--app-secret-env", required=True)
    args = parser.parse_args()
    {"keygen": keygen, "walk": walk}[args.command](args)


if __name__ == "__main__":
    main()
