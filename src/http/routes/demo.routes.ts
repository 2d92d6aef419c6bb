import { Router } from 'express';

export interface DemoRouterOptions {
  /** The web chat channel key the embedded widget uses. */
  channelKey: string;
}

const escapeAttr = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A sample company page with the chat widget embedded, exactly as a customer's site would do it. */
export function demoPage(channelKey: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme Tea 茶叶 — demo shop</title>
<style>
  :root { --green: #2f5d3a; --cream: #f7f3ea; --ink: #1f2a22; }
  * { box-sizing: border-box; }
  body { margin: 0; font-family: Georgia, "Songti SC", "Noto Serif CJK SC", serif; color: var(--ink); background: var(--cream); }
  header { background: var(--green); color: #fff; padding: 18px 32px; display: flex; align-items: center; justify-content: space-between; }
  header h1 { margin: 0; font-size: 26px; letter-spacing: 1px; }
  header nav a { color: #e8f0e3; margin-left: 18px; text-decoration: none; font-family: system-ui, sans-serif; font-size: 14px; }
  .hero { padding: 56px 32px 40px; max-width: 920px; margin: 0 auto; }
  .hero h2 { font-size: 36px; margin: 0 0 8px; }
  .hero p { font-size: 18px; line-height: 1.6; max-width: 640px; }
  .products { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 20px; max-width: 920px; margin: 0 auto; padding: 0 32px 48px; }
  .card { background: #fff; border-radius: 10px; padding: 20px; box-shadow: 0 2px 10px rgba(0,0,0,.06); }
  .card .leaf { height: 90px; border-radius: 8px; margin-bottom: 14px; }
  .card h3 { margin: 0 0 4px; }
  .card p { margin: 0; font-family: system-ui, sans-serif; font-size: 14px; color: #4b5a4f; }
  .price { font-weight: bold; margin-top: 10px !important; color: var(--green) !important; }
  .note { max-width: 920px; margin: 0 auto 80px; padding: 16px 32px; font-family: system-ui, sans-serif; font-size: 14px; color: #4b5a4f; }
  .note a { color: var(--green); }
  /* A host page with aggressive global styles: the widget must not inherit them. */
  button { background: hotpink; font-size: 22px; border: 4px dashed red; }
  input, textarea { font-family: "Comic Sans MS", cursive; color: purple; }
</style>
</head>
<body>
<header>
  <h1>Acme Tea · 茶叶</h1>
  <nav><a href="#shop">Shop 选购</a><a href="#about">About 关于我们</a><a href="/console" id="console-link">Agent console 客服控制台 →</a></nav>
</header>
<section class="hero" id="about">
  <h2>Fresh leaves from the hills of Hangzhou<br>杭州山间的新鲜茶叶</h2>
  <p>Hand-picked green, oolong and pu'er teas, shipped in days. Questions about an order, an idea for us, or something that went wrong? Chat with us — bottom right.</p>
  <p>手工采摘的绿茶、乌龙茶和普洱茶，数日送达。订单有疑问、有建议，或者遇到了问题？请点击右下角与我们在线交流。</p>
</section>
<section class="products" id="shop">
  <div class="card"><div class="leaf" style="background:linear-gradient(135deg,#9cc47a,#4e7d3a)"></div><h3>West Lake Longjing 西湖龙井</h3><p>Pan-fired green tea, chestnut sweetness. 栗香回甘。</p><p class="price">¥168 / 100 g</p></div>
  <div class="card"><div class="leaf" style="background:linear-gradient(135deg,#c9a36b,#7a4b24)"></div><h3>Aged Pu'er 陈年普洱</h3><p>Earthy, smooth, five years in Yunnan. 云南陈放五年。</p><p class="price">¥298 / 357 g</p></div>
  <div class="card"><div class="leaf" style="background:linear-gradient(135deg,#f3f0d7,#b7c98e)"></div><h3>Jasmine Pearls 茉莉龙珠</h3><p>Green tea scented seven times with jasmine. 七窨茉莉。</p><p class="price">¥128 / 100 g</p></div>
</section>
<p class="note">This is a demo page of the hub. Chat as a customer here, and answer in the <a href="/console">agent console</a> in another tab (demo agents are printed when the hub starts).<br>
这是演示页面：在这里以顾客身份聊天，并在另一个标签页的<a href="/console">客服控制台</a>中回复。</p>
<script src="/widget.js" data-channel-key="${escapeAttr(channelKey)}" defer></script>
</body>
</html>
`;
}

/** GET /demo: the sample company page. */
export function createDemoRouter(opts: DemoRouterOptions): Router {
  const r = Router();
  const html = demoPage(opts.channelKey);
  r.get('/demo', (_req, res) => {
    res.set('Cache-Control', 'no-cache').type('html').send(html);
  });
  return r;
}
