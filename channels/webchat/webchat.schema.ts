import { z } from 'zod';
import { TOPICS } from './webchat.protocol';

export const MAX_TEXT_LENGTH = 5000;

/** The pre-chat form, validated on every message (the widget sends it along). */
export const ProfileSchema = z.object({
  name: z.string().trim().min(1).max(100),
  email: z.preprocess((v) => (v === '' ? undefined : v), z.email().max(254).optional()),
  phone: z.preprocess((v) => (v === '' ? undefined : v), z.string().trim().regex(/^\+?[0-9][0-9 ()\-.]{4,29}$/).optional()),
  topic: z.enum(TOPICS),
});

export const ClientMessageSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  text: z.string().max(MAX_TEXT_LENGTH),
  attachments: z
    .array(
      z.object({
        name: z.string().max(255),
        contentType: z.string().max(255),
        dataBase64: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/),
      }),
    )
    .max(1)
    .optional(),
  profile: ProfileSchema.optional(),
  page: z.string().max(2000).optional(),
});
export type ParsedClientMessage = z.infer<typeof ClientMessageSchema>;
export type ParsedProfile = z.infer<typeof ProfileSchema>;

export const TypingSchema = z.object({ typing: z.boolean() });

export const IdentitySchema = z.object({
  userId: z.string().trim().min(1).max(200),
  hash: z.string().trim().regex(/^[0-9a-fA-F]{64}$/),
  name: z.string().trim().max(100).optional(),
  email: z.email().max(254).optional(),
});

export const AuthSchema = z.object({
  channelKey: z.string().min(1).max(200),
  token: z.string().max(200).optional(),
  identity: z.unknown().optional(),
});
