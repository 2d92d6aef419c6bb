import express, { Router, type Response } from 'express';
import type { CsatService } from '../../csat/csat.service';

type Lang = 'en' | 'zh';

const WORDS = {
  en: {
    confirmTitle: 'Rate our help',
    confirm: (n: number) => `How satisfied are you with the help on request #${n}? Check your rating and press "Send rating".`,
    scoreLabel: (score: number) => `${score} of 5`,
    scoreLegend: 'Your rating (1 = very unhappy, 5 = very happy)',
    sendRating: 'Send rating',
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
    confirmTitle: '为我们的服务评分',
    confirm: (n: number) => `您对请求 #${n} 的服务满意吗？请确认评分后点击“提交评分”。`,
    scoreLabel: (score: number) => `${score} 分（满分 5 分）`,
    scoreLegend: '您的评分（1 = 非常不满意，5 = 非常满意）',
    sendRating: '提交评分',
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
 * The pages behind the satisfaction links in the CSAT email (`GET /csat/:token`). Opening a
 * link records nothing (mail scanners and link previews open every link of a mail): it shows
 * the rating the customer clicked, preselected among 1-5, with an optional comment, and only
 * the form's POST records the answer, once. A reused, forged or altered link is refused with a
 * page that says so and changes nothing. (Links signed with score 0 are the comment links of
 * earlier mails: they add a comment to an answer once.)
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
    const s = link ? await csat.survey(link.ticketId).catch(() => null) : null;
    const lang: Lang = s?.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
    const w = WORDS[lang];
    if (!link || link.score === 0 || !s || s.nonce !== link.nonce) return page(res, 400, lang, w.refusedTitle, `<p>${esc(w.invalid)}</p>`);
    if (s.answer) return page(res, 409, lang, w.refusedTitle, `<p>${esc(w.used)}</p>`);
    const choices = [1, 2, 3, 4, 5]
      .map((n) => `<label style="margin-right:1rem"><input type="radio" name="score" value="${n}"${n === link.score ? ' checked' : ''}> ${esc(w.scoreLabel(n))}</label>`)
      .join('');
    return page(
      res,
      200,
      lang,
      w.confirmTitle,
      `<p>${esc(w.confirm(s.ticketNumber))}</p>` +
        `<form method="post" action="/csat/${esc(token)}"><fieldset><legend>${esc(w.scoreLegend)}</legend>${choices}</fieldset>` +
        `<p><label for="comment">${esc(w.commentLabel)}</label><br><textarea id="comment" name="comment" maxlength="2000"></textarea></p>` +
        `<button type="submit">${esc(w.sendRating)}</button></form>`,
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
      const outcome = await csat.comment(link.ticketId, link.nonce, comment);
      if (outcome !== 'saved') return page(res, outcome === 'already' ? 409 : 400, lang, w.refusedTitle, `<p>${esc(w.commentRefused)}</p>`);
      return page(res, 200, lang, w.title, `<p>${esc(w.commentSaved)}</p>`);
    }
    // The customer may change the preselected rating on the page; the signed link proves who answers.
    const chosen = typeof body?.score === 'string' && /^[1-5]$/.test(body.score) ? Number(body.score) : link.score;
    const result = await csat.answer({ ticketId: link.ticketId, score: chosen, nonce: link.nonce, via: 'link', ...(comment.trim() ? { comment } : {}) });
    if (!result.ok) {
      if (result.reason === 'already_answered') return page(res, 409, lang, w.refusedTitle, `<p>${esc(w.used)}</p>`);
      return page(res, 400, lang, w.refusedTitle, `<p>${esc(w.invalid)}</p>`);
    }
    const s = await csat.survey(link.ticketId);
    return page(res, 200, lang, w.title, `<p>${esc(w.thanks(chosen, s?.ticketNumber ?? 0))}</p>${comment.trim() ? `<p>${esc(w.commentSaved)}</p>` : ''}`);
  });
  return r;
}
