import express, { Router, type Response } from 'express';
import type { CsatService } from '../../csat/csat.service';

type Lang = 'en' | 'zh';

const WORDS = {
  en: {
    title: 'Thank you',
    thanks: (score: number, n: number) => `Thank you! We recorded your rating ${score}/5 for request #${n}.`,
    commentLabel: 'Anything you would like to add? (optional)',
    send: 'Send comment',
    commentSaved: 'Thank you, your comment was added.',
    refusedTitle: 'This link cannot be used',
    used: 'This link was already used: the rating for this request has been given. Nothing was changed.',
    invalid: 'This link is not valid (it may be incomplete or altered). Nothing was recorded.',
    commentRefused: 'This comment cannot be added (it was added already, or the link is not valid). Nothing was changed.',
  },
  zh: {
    title: '谢谢',
    thanks: (score: number, n: number) => `谢谢！我们已记录您对请求 #${n} 的评分：${score}/5。`,
    commentLabel: '还有什么想告诉我们的吗？（可选）',
    send: '提交评论',
    commentSaved: '谢谢，您的评论已添加。',
    refusedTitle: '此链接无法使用',
    used: '此链接已被使用：该请求已评分。未做任何更改。',
    invalid: '此链接无效（可能不完整或被修改）。未记录任何内容。',
    commentRefused: '无法添加此评论（已添加过，或链接无效）。未做任何更改。',
  },
} as const;

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res: Response, status: number, lang: Lang, title: string, body: string): void {
  res
    .status(status)
    .type('html')
    .set('Cache-Control', 'no-store')
    .set('Referrer-Policy', 'no-referrer')
    .send(
      `<!doctype html><html lang="${lang === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${esc(title)}</title>` +
        `<style>body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1f2937}textarea{width:100%;min-height:6rem}</style></head>` +
        `<body><main><h1>${esc(title)}</h1>${body}</main></body></html>`,
    );
}

/**
 * The pages behind the satisfaction links in the CSAT email (`GET /csat/:token`): a valid,
 * unused link records its score and thanks the customer with an optional comment form; a
 * reused, forged or altered one is refused with a page that says so, and changes nothing.
 */
export function createCsatPageRouter(deps: { csat: Pick<CsatService, 'answer' | 'comment' | 'survey' | 'links'> }): Router {
  const { csat } = deps;
  const r = Router();
  const langOf = async (ticketId: string | null): Promise<Lang> => {
    const s = ticketId ? await csat.survey(ticketId).catch(() => null) : null;
    return s?.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
  };

  r.get('/csat/:token', async (req, res) => {
    const link = csat.links.verify(String(req.params.token));
    const lang = await langOf(link?.ticketId ?? null);
    const w = WORDS[lang];
    if (!link || link.score === 0) return page(res, 400, lang, w.refusedTitle, `<p>${esc(w.invalid)}</p>`);
    const result = await csat.answer({ ticketId: link.ticketId, score: link.score, nonce: link.nonce, via: 'link' });
    if (!result.ok) {
      if (result.reason === 'already_answered') return page(res, 409, lang, w.refusedTitle, `<p>${esc(w.used)}</p>`);
      return page(res, 400, lang, w.refusedTitle, `<p>${esc(w.invalid)}</p>`);
    }
    const s = await csat.survey(link.ticketId);
    const commentToken = csat.links.sign({ ticketId: link.ticketId, score: 0, nonce: link.nonce });
    return page(
      res,
      200,
      lang,
      w.title,
      `<p>${esc(w.thanks(link.score, s?.ticketNumber ?? 0))}</p>` +
        `<form method="post" action="/csat/${esc(commentToken)}"><label for="comment">${esc(w.commentLabel)}</label><br><textarea id="comment" name="comment" maxlength="2000"></textarea><br><button type="submit">${esc(w.send)}</button></form>`,
    );
  });

  r.post('/csat/:token', express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    const link = csat.links.verify(String(req.params.token));
    const lang = await langOf(link?.ticketId ?? null);
    const w = WORDS[lang];
    const body = req.body as Record<string, unknown> | undefined;
    const comment = typeof body?.comment === 'string' ? body.comment : '';
    if (!link || link.score !== 0) return page(res, 400, lang, w.refusedTitle, `<p>${esc(w.invalid)}</p>`);
    const outcome = await csat.comment(link.ticketId, link.nonce, comment);
    if (outcome !== 'saved') return page(res, outcome === 'already' ? 409 : 400, lang, w.refusedTitle, `<p>${esc(w.commentRefused)}</p>`);
    return page(res, 200, lang, w.title, `<p>${esc(w.commentSaved)}</p>`);
  });
  return r;
}
