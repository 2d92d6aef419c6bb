import express, { Router, type Response } from 'express';
import type { CsatService } from '../../csat/csat.service';

type Lang = 'en' | 'zh';

const WORDS = {
  en: {
    title: 'Thank you',
    askTitle: 'How did we do?',
    ask: (n: number) => `Your rating for request #${n}. Please confirm it (you can change it) and press Send.`,
    scoreLegend: 'Your rating (1 = very poor, 5 = excellent)',
    submit: 'Send rating',
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
    askTitle: '我们做得怎么样？',
    ask: (n: number) => `您对请求 #${n} 的评分。请确认（可以修改）后点击提交。`,
    scoreLegend: '您的评分（1 = 很差，5 = 非常好）',
    submit: '提交评分',
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
 * The pages behind the satisfaction links in the CSAT email (`GET /csat/:token`). Opening a
 * link changes nothing (mail scanners open links): a valid, unanswered link shows a form with its
 * score preselected (1–5) and an optional comment; only the form's POST records the answer, once.
 * A reused, forged or altered link is refused with a page that says so, and changes nothing.
 */
export function createCsatPageRouter(deps: { csat: Pick<CsatService, 'answer' | 'comment' | 'survey' | 'links'> }): Router {
  const { csat } = deps;
  const r = Router();
  const langOf = async (ticketId: string | null): Promise<Lang> => {
    const s = ticketId ? await csat.survey(ticketId).catch(() => null) : null;
    return s?.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
  };

  r.get('/csat/:token', async (req, res) => {
    const token = String(req.params.token);
    const link = csat.links.verify(token);
    const lang = await langOf(link?.ticketId ?? null);
    const w = WORDS[lang];
    if (!link || link.score === 0) return page(res, 400, lang, w.refusedTitle, `<p>${esc(w.invalid)}</p>`);
    const s = await csat.survey(link.ticketId).catch(() => null);
    if (!s || s.nonce !== link.nonce) return page(res, 400, lang, w.refusedTitle, `<p>${esc(w.invalid)}</p>`);
    if (s.answer) return page(res, 409, lang, w.refusedTitle, `<p>${esc(w.used)}</p>`);
    const buttons = [1, 2, 3, 4, 5]
      .map((n) => `<label style="margin-right:1rem"><input type="radio" name="score" value="${n}"${n === link.score ? ' checked' : ''}> ${n}</label>`)
      .join('');
    return page(
      res,
      200,
      lang,
      w.askTitle,
      `<p>${esc(w.ask(s.ticketNumber))}</p>` +
        `<form method="post" action="/csat/${esc(token)}"><fieldset><legend>${esc(w.scoreLegend)}</legend>${buttons}</fieldset>` +
        `<p><label for="comment">${esc(w.commentLabel)}</label><br><textarea id="comment" name="comment" maxlength="2000"></textarea></p>` +
        `<button type="submit">${esc(w.submit)}</button></form>`,
    );
  });

  r.post('/csat/:token', express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    const link = csat.links.verify(String(req.params.token));
    const lang = await langOf(link?.ticketId ?? null);
    const w = WORDS[lang];
    const body = req.body as Record<string, unknown> | undefined;
    const comment = typeof body?.comment === 'string' ? body.comment : '';
    if (!link) return page(res, 400, lang, w.refusedTitle, `<p>${esc(w.invalid)}</p>`);
    if (link.score === 0) {
      // A comment form from before answers and comments were sent together.
      const outcome = await csat.comment(link.ticketId, link.nonce, comment);
      if (outcome !== 'saved') return page(res, outcome === 'already' ? 409 : 400, lang, w.refusedTitle, `<p>${esc(w.commentRefused)}</p>`);
      return page(res, 200, lang, w.title, `<p>${esc(w.commentSaved)}</p>`);
    }
    const chosen = typeof body?.score === 'string' && /^[1-5]$/.test(body.score) ? Number(body.score) : link.score;
    const result = await csat.answer({ ticketId: link.ticketId, score: chosen, comment, nonce: link.nonce, via: 'link' });
    if (!result.ok) {
      if (result.reason === 'already_answered') return page(res, 409, lang, w.refusedTitle, `<p>${esc(w.used)}</p>`);
      return page(res, 400, lang, w.refusedTitle, `<p>${esc(w.invalid)}</p>`);
    }
    const s = await csat.survey(link.ticketId);
    return page(res, 200, lang, w.title, `<p>${esc(w.thanks(chosen, s?.ticketNumber ?? 0))}</p>`);
  });
  return r;
}
