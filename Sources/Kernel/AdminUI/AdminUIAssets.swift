/// The admin UI's stylesheet and script, as Swift string literals so they are part of the
/// binary: no build step, no CDN, no resource bundle, and no request path ever reaches the
/// file system. Edit them in place (`AdminUIAssets+Script.swift`, `AdminUIAssets+Stylesheet.swift`);
/// `node --check` on the extracted script is a quick syntax check.
enum AdminUIAssets {}
