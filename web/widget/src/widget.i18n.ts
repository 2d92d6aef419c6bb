/** The widget's texts in English and Simplified Chinese (chosen by the browser's language). */
const en = {
  launcher: 'Chat with us',
  title: 'Chat with us',
  subtitle: 'We usually reply within a few minutes.',
  withAgent: 'You are chatting with {name}',
  agentAway: '{name} is away for a moment; your messages will be answered here.',
  offline: 'No agents are online right now. Leave a message and we will get back to you: by email if you left your address, otherwise right here.',
  reconnecting: 'Connection lost. Reconnecting…',
  prechatIntro: 'Before we start, please tell us a little about you.',
  name: 'Your name',
  email: 'Email',
  phone: 'Phone',
  optional: '(optional)',
  topic: 'What is it about?',
  complaint: 'A complaint',
  suggestion: 'A suggestion',
  question: 'A question',
  start: 'Start chat',
  placeholder: 'Type a message…',
  send: 'Send',
  attach: 'Attach an image or PDF',
  close: 'Close chat',
  sending: 'Sending…',
  sent: 'Sent',
  read: 'Read',
  failed: 'Not sent',
  agentTyping: '{name} is typing…',
  someoneTyping: 'An agent is typing…',
  agent: 'Agent',
  you: 'You',
  required: 'Please fill this in.',
  badEmail: 'Please enter a valid email address.',
  badPhone: 'Please enter a valid phone number.',
  fileTooLarge: 'That file is too large (at most {size}).',
  fileType: 'Only images (PNG, JPEG, GIF, WebP) and PDF files can be sent.',
  errInvalid: 'This message could not be sent.',
  errAttachmentType: 'This file type is not accepted.',
  errAttachmentSize: 'This file is too large.',
  errPrechat: 'Please fill in the form first.',
  greeting: 'Hello! How can we help you today?',
  queueNext: 'You are next in line.',
  queuePosition: 'You are number {position} in line.',
  expectedWait: 'Expected wait: {wait}.',
  waitUnderMinute: 'less than a minute',
  waitMinutes: 'about {minutes} min',
  agentJoined: '{name} has joined the chat.',
  transferredToAgent: 'Your chat has been handed over to {name}.',
  transferredToTeam: 'Your chat has been handed over to our {team} team. Someone will be with you shortly.',
  transferred: 'Your chat has been handed over to a colleague.',
  errIdentity: 'Chat is unavailable: this page could not confirm who you are. Please sign in again.',
} as const;

export type MessageKey = keyof typeof en;
type Table = Record<MessageKey, string>;

const zhCN: Table = {
  launcher: '在线咨询',
  title: '在线客服',
  subtitle: '我们通常会在几分钟内回复。',
  withAgent: '{name} 正在为您服务',
  agentAway: '{name} 暂时离开，您的消息仍会在这里得到回复。',
  offline: '当前没有客服在线。请留言，我们会尽快回复：如果您留下了邮箱，我们将通过邮件回复，否则会在这里回复您。',
  reconnecting: '连接已断开，正在重新连接…',
  prechatIntro: '开始之前，请简单介绍一下您自己。',
  name: '您的姓名',
  email: '邮箱',
  phone: '电话',
  optional: '（选填）',
  topic: '您想咨询什么？',
  complaint: '投诉',
  suggestion: '建议',
  question: '咨询问题',
  start: '开始对话',
  placeholder: '请输入消息…',
  send: '发送',
  attach: '添加图片或 PDF',
  close: '关闭对话',
  sending: '发送中…',
  sent: '已发送',
  read: '已读',
  failed: '发送失败',
  agentTyping: '{name} 正在输入…',
  someoneTyping: '客服正在输入…',
  agent: '客服',
  you: '我',
  required: '请填写此项。',
  badEmail: '请输入有效的邮箱地址。',
  badPhone: '请输入有效的电话号码。',
  fileTooLarge: '文件过大（最大 {size}）。',
  fileType: '只能发送图片（PNG、JPEG、GIF、WebP）和 PDF 文件。',
  errInvalid: '此消息无法发送。',
  errAttachmentType: '不支持此文件类型。',
  errAttachmentSize: '文件过大。',
  errPrechat: '请先填写表单。',
  greeting: '您好！请问有什么可以帮您？',
  queueNext: '下一位就是您。',
  queuePosition: '您当前排在第 {position} 位。',
  expectedWait: '预计等待：{wait}。',
  waitUnderMinute: '不到 1 分钟',
  waitMinutes: '约 {minutes} 分钟',
  agentJoined: '{name} 已加入对话。',
  transferredToAgent: '您的对话已转接给 {name}。',
  transferredToTeam: '您的对话已转接至{team}团队，稍后会有客服为您服务。',
  transferred: '您的对话已转接给其他同事。',
  errIdentity: '无法使用在线客服：本页面无法确认您的身份，请重新登录。',
};

export type Locale = 'en' | 'zh-CN';
const TABLES: Record<Locale, Table> = { en, 'zh-CN': zhCN };

/** zh-CN for any Chinese browser language (zh, zh-CN, zh-Hans, zh-TW…), English otherwise. */
export function pickLocale(languages: readonly string[]): Locale {
  const first = languages.find((l) => l) ?? 'en';
  return first.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export type Translate = (key: MessageKey, vars?: Record<string, string>) => string;

export function translator(locale: Locale): Translate {
  const table = TABLES[locale];
  return (key, vars = {}) => table[key].replace(/\{(\w+)\}/g, (_, name: string) => vars[name] ?? '');
}
