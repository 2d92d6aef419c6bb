/**
 * The edges of the fax reply path that the end-to-end test does not reach: a media link past
 * its expiry or signed with another key, and which Telnyx failure reasons are dialled again.
 */
import { mediaToken, readMediaToken } from '../../../channels/fax/fax.outbound';
import { telnyxFailure } from '../../../channels/fax/telnyx.provider';

const key = Buffer.alloc(32, 7);
const REF = `sha256-${'a'.repeat(64)}`;

test('a media token names its file until it expires; another key or a changed payload names nothing', () => {
  const now = 1_800_000_000;
  const token = mediaToken(key, REF, now + 60);
  expect(readMediaToken(key, token, now)).toEqual({ ref: REF });
  expect(readMediaToken(key, token, now + 60)).toEqual({ ref: REF });
  expect(readMediaToken(key, token, now + 61)).toBe('expired');
  expect(readMediaToken(Buffer.alloc(32, 8), token, now)).toBeNull();
  const [, sig] = token.split('.');
  const longer = Buffer.from(`${REF}.${now + 86_400}`).toString('base64url');
  expect(readMediaToken(key, `${longer}.${sig}`, now)).toBeNull();
  expect(readMediaToken(key, 'garbage', now)).toBeNull();
});

test('a busy line and no answer are dialled again; other Telnyx failures are final', () => {
  expect(telnyxFailure('user_busy')).toEqual({ code: 'busy', redial: true });
  expect(telnyxFailure('receiver_no_answer')).toEqual({ code: 'no_answer', redial: true });
  expect(telnyxFailure('receiver_no_response')).toEqual({ code: 'no_answer', redial: true });
  expect(telnyxFailure('receiver_incompatible_destination')).toEqual({ code: 'not_delivered', redial: false });
  expect(telnyxFailure('file_download_failed')).toEqual({ code: 'not_delivered', redial: false });
});
