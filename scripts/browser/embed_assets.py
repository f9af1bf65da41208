#!/usr/bin/env python3
"""Round-trips the admin UI's script and stylesheet between the Swift files that compile them
into the binary and plain files you can edit and check (`node --check app.js`).

  embed_assets.py extract DIR   writes DIR/app.js and DIR/app.css from the Swift sources
  embed_assets.py embed DIR     writes the Swift sources from DIR/app.js and DIR/app.css
"""
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Sources", "Kernel", "AdminUI")
FILES = {
    "app.js": ("AdminUIAssets+Script.swift", "script",
               "/// `/admin/assets/app.js`, compiled in (no file is read at run time): the views of every\n"
               "    /// admin page, drawn from the JSON admin API with DOM calls (no framework, no innerHTML)."),
    "app.css": ("AdminUIAssets+Stylesheet.swift", "css", "/// `/admin/assets/app.css`, compiled in (no file is read at run time)."),
}
OPEN, CLOSE = '#"""\n', '"""#\n'


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("extract", "embed"):
        print(__doc__, file=sys.stderr)
        return 2
    directory = sys.argv[2]
    os.makedirs(directory, exist_ok=True)
    for name, (swift, member, doc) in FILES.items():
        swift_path = os.path.join(ROOT, swift)
        if sys.argv[1] == "extract":
            text = open(swift_path, encoding="utf-8").read()
            body = text[text.index(OPEN) + len(OPEN):text.rindex(CLOSE)]
            open(os.path.join(directory, name), "w", encoding="utf-8").write(body)
        else:
            body = open(os.path.join(directory, name), encoding="utf-8").read()
            if '"""#' in body or "\\#" in body:
                print(f"{name}: contains a Swift raw-string delimiter", file=sys.stderr)
                return 1
            if not body.endswith("\n"):
                body += "\n"
            open(swift_path, "w", encoding="utf-8").write(
                f"extension AdminUIAssets {{\n    {doc}\n    static let {member} = {OPEN}{body}{CLOSE}}}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
