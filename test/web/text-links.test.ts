/** The tokenizer behind links in the widget and the console: which text becomes a link, and where it ends. */
import { textParts } from '../../web/common/text-links';

const links = (text: string) => textParts(text).flatMap((p) => (p.kind === 'link' ? [p.href] : []));

test('http(s) URLs only; the text around them is kept exactly', () => {
  const text = 'See https://a.example/x?y=1#z, then javascript:alert(1) or ftp://files.example/ or data:text/html,<b>x</b>.';
  expect(links(text)).toEqual(['https://a.example/x?y=1#z']);
  expect(textParts(text).map((p) => p.text).join('')).toBe(text);
});

test('a URL ends before trailing punctuation, an unmatched bracket, quotes, markup and Chinese text', () => {
  expect(links('(see https://a.example/wiki/Foo_(bar)).')).toEqual(['https://a.example/wiki/Foo_(bar)']);
  expect(links('"http://b.example/p" <http://c.example/q>')).toEqual(['http://b.example/p', 'http://c.example/q']);
  expect(links('请看https://d.example/refund谢谢')).toEqual(['https://d.example/refund']);
  expect(links('Is it https://e.example/?')).toEqual(['https://e.example/']);
});

test('a scheme inside a word, or without a host, is not a link', () => {
  expect(links('xhttps://a.example/ http:// https:///path')).toEqual([]);
});
