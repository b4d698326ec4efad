// hushdesk Help button for the agency's other web applications. The page adds it with
//   <script src="https://HUSHDESK/help/button-VERSION.js" integrity="sha384-…" crossorigin="anonymous" defer></script>
// It reads nothing of the page but its address (host and path), cleans the path
// of anything that could identify a client before it leaves the page, and opens
// hushdesk's ticket window in a small window of its own (hushdesk is never framed).
(() => {
  const script = document.currentScript;
  if (!script?.src) return;
  // Kept path segments: words of letters (src/tickets/opened-from.ts, KEPT_SEGMENT).
  const KEPT_SEGMENT = /^(?=.{1,40}$)[A-Za-z]{1,20}(?:[-_.~][A-Za-z]{1,20})*$/;
  const MAX_SEGMENTS = 12;
  const windowUrl = new URL('new', script.src);

  const cleanPath = (path) =>
    `/${path
      .split('/')
      .filter((segment) => segment !== '')
      .slice(0, MAX_SEGMENTS)
      .map((segment) => (KEPT_SEGMENT.test(segment) ? segment : ':id'))
      .join('/')}`;

  const openHelp = () => {
    const url = new URL(windowUrl);
    url.searchParams.set('host', window.location.host);
    url.searchParams.set('path', cleanPath(window.location.pathname));
    window.open(url.href, 'hushdesk-help', 'popup,width=560,height=760');
  };

  const place = () => {
    // A shadow root keeps the page's stylesheet off the button and ours off the page.
    const holder = document.createElement('hushdesk-help');
    const root = holder.attachShadow({ mode: 'open' });
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = 'Help';
    button.title = 'Open a hushdesk ticket about this page';
    Object.assign(button.style, {
      position: 'fixed',
      right: '16px',
      bottom: '16px',
      zIndex: '2147483647',
      minWidth: '44px',
      minHeight: '44px',
      padding: '0 16px',
      border: '2px solid #fff',
      borderRadius: '22px',
      background: '#2f6f73',
      color: '#fff',
      font: '600 16px/1 system-ui, sans-serif',
      boxShadow: '0 2px 6px rgba(0, 0, 0, 0.35)',
      cursor: 'pointer',
    });
    button.addEventListener('click', openHelp);
    root.append(button);
    document.body.append(holder);
  };

  if (document.body) place();
  else document.addEventListener('DOMContentLoaded', place, { once: true });
})();
