/** The subject of an emailed reply: the customer's subject with the ticket token, once. */
import { replySubject } from '../../../channels/email/email.adapter';

test('the token is added once, after a single Re:', () => {
  expect(replySubject('Broken kettle', 12)).toBe('Re: [#12] Broken kettle');
  expect(replySubject('RE: Re: Broken kettle', 12)).toBe('Re: [#12] Broken kettle');
  expect(replySubject('回复：包装破损', 7)).toBe('Re: [#7] 包装破损');
  expect(replySubject('Re: [#12] Broken kettle', 12)).toBe('Re: [#12] Broken kettle');
  // Another ticket's token is not this ticket's.
  expect(replySubject('Re: [#11] Broken kettle', 12)).toBe('Re: [#12] [#11] Broken kettle');
  expect(replySubject('', 3)).toBe('Re: [#3]');
});
