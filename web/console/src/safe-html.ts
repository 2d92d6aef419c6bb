/**
 * Second line of defence for message HTML. The hub already sanitizes customer HTML (the
 * `html` field; the raw original is never sent to the console). Before it is put on the
 * page it is parsed again into an inert <template> (nothing runs or loads there) and
 * anything active is dropped: scripts, frames, forms, event handlers, javascript: URLs,
 * and images other than inline data: images (remote images would track the agent).
 */
const DROP = new Set([
  'SCRIPT', 'IFRAME', 'FRAME', 'FRAMESET', 'OBJECT', 'EMBED', 'APPLET', 'STYLE', 'LINK', 'META', 'BASE', 'FORM',
  'INPUT', 'BUTTON', 'TEXTAREA', 'SELECT', 'OPTION', 'SVG', 'MATH', 'NOSCRIPT', 'TEMPLATE', 'AUDIO', 'VIDEO', 'SOURCE', 'PORTAL',
]);
const URL_ATTRS = new Set(['href', 'src', 'xlink:href', 'action', 'formaction', 'background', 'poster', 'srcset']);
const SAFE_HREF = /^(https?:|mailto:|tel:|#)/i;

export function cleanHtml(html: string): string {
  const tpl = document.createElement('template');
  tpl.innerHTML = html;
  const walk = (parent: ParentNode): void => {
    for (const el of Array.from(parent.children)) {
      if (DROP.has(el.tagName.toUpperCase())) {
        el.remove();
        continue;
      }
      for (const attr of Array.from(el.attributes)) {
        const name = attr.name.toLowerCase();
        const value = attr.value.trim();
        if (name.startsWith('on') || name === 'style' || name === 'srcdoc' || name === 'id' || name === 'class') el.removeAttribute(attr.name);
        else if (URL_ATTRS.has(name)) {
          const ok = el.tagName === 'IMG' && name === 'src' ? /^data:image\/(png|jpe?g|gif|webp);/i.test(value) : name === 'href' && SAFE_HREF.test(value);
          if (!ok) el.removeAttribute(attr.name);
        }
      }
      if (el.tagName === 'A') {
        el.setAttribute('target', '_blank');
        el.setAttribute('rel', 'noopener noreferrer nofollow');
      }
      walk(el);
    }
  };
  walk(tpl.content);
  return tpl.innerHTML;
}
