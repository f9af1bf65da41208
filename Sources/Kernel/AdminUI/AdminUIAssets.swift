/// The admin UI's stylesheet and script, as Swift string literals so they are part of the
/// binary: no build step, no CDN, no resource bundle, and no request path ever reaches the
/// file system. To edit them as plain files: `scripts/browser/embed_assets.py extract DIR`,
/// edit (and `node --check DIR/app.js`), then `scripts/browser/embed_assets.py embed DIR`.
enum AdminUIAssets {}
