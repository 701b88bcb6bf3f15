/**
 * The dashboard's Content-Security-Policy, the same wherever it is served: as a header by
 * the Electron shell and by the headless node's control server (the renderer's index.html
 * carries it as a meta tag too). `connect-src 'self'` covers the same-origin `ws:` socket in
 * CSP Level 3 browsers (Chromium 71+, Firefox, Safari 16+). Styles stay `'self'`: React's
 * `style` props go through the CSSOM, which CSP does not block.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
].join('; ');
