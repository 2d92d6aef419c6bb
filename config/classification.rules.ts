/**
 * Default ticket-classification rules (plain data; admins can replace them with a
 * JSON file validated by {@link ClassificationRulesSchema}).
 *
 * Term syntax
 * - English: lower-case words, matched as whole tokens in sequence ("please add"
 *   matches "Please add …"). A word ending in `*` matches any word starting with it
 *   ("crash*" → crash, crashes, crashed, crashing); a lone `*` matches any one word
 *   ("for * days" → "for three days"). Intensifiers (really, very, …) are ignored.
 * - Chinese: matched as substrings of the message (so phrases survive word
 *   segmentation); a single-character term only matches a whole segmented word.
 *
 * When terms overlap, the longest match wins ("would be great if" beats "great",
 * "不满意" beats "满意"). Each distinct term counts once per message.
 *
 * This file must import nothing from the project.
 */
import { z } from 'zod';

export type RuleTicketType = 'complaint' | 'suggestion' | 'care';
export type RulePriority = 'low' | 'normal' | 'high' | 'urgent';
export type RuleLanguage = 'zh' | 'en';

export interface WeightedTerm {
  term: string;
  weight: number;
}

export interface LanguageRules {
  /** Weighted evidence for each ticket type. */
  types: Record<RuleTicketType, WeightedTerm[]>;
  /** Priority signals: any urgent term → urgent; else any high term → high; else a low term → low (not for complaints). */
  priority: { urgent: string[]; high: string[]; low: string[] };
  /** A term directly preceded by one of these is ignored (for `negatableTypes` and priority terms). */
  negators: string[];
  negatableTypes: RuleTicketType[];
  /** Evidence added to `care` when the message asks a question ("?" / "？"). */
  questionWeight: number;
}

export interface ClassificationRules {
  version: 1;
  languages: Record<RuleLanguage, LanguageRules>;
  /** Used when no rule fires. */
  fallback: { type: RuleTicketType; confidence: number };
  /** Priority when no priority term fires. */
  defaultPriority: Record<RuleTicketType, RulePriority>;
  /** This many '!' in a complaint make it high priority; 0 disables. */
  exclamationsForHigh: number;
  /** Share of CJK characters among letters at or above which a message is Chinese. */
  zhThreshold: number;
}

const TypeSchema = z.enum(['complaint', 'suggestion', 'care']);
const PrioritySchema = z.enum(['low', 'normal', 'high', 'urgent']);
const TermSchema = z.object({ term: z.string().trim().min(1).max(100), weight: z.number().positive().max(100) });
const TermListSchema = z.array(z.string().trim().min(1).max(100)).max(5000);
const LanguageRulesSchema = z.object({
  types: z.record(TypeSchema, z.array(TermSchema).max(5000)),
  priority: z.object({ urgent: TermListSchema, high: TermListSchema, low: TermListSchema }),
  negators: TermListSchema,
  negatableTypes: z.array(TypeSchema),
  questionWeight: z.number().min(0).max(100),
});

/** Validates rules loaded from JSON. */
export const ClassificationRulesSchema = z.object({
  version: z.literal(1),
  languages: z.record(z.enum(['zh', 'en']), LanguageRulesSchema),
  fallback: z.object({ type: TypeSchema, confidence: z.number().min(0).max(1) }),
  defaultPriority: z.record(TypeSchema, PrioritySchema),
  exclamationsForHigh: z.number().int().min(0),
  zhThreshold: z.number().min(0).max(1),
}) satisfies z.ZodType<ClassificationRules>;

/** Terms sharing one weight. */
const w = (weight: number, ...terms: string[]): WeightedTerm[] => terms.map((term) => ({ term, weight }));

const en: LanguageRules = {
  types: {
    // Something went wrong: defects, billing errors, delays, staff, refunds, outages, escalation.
    complaint: [
      ...w(4, 'complaint', 'complaints', 'complain', 'complaining', 'unacceptable', 'not acceptable',
        'false advertising', 'rip off', 'ripped off', 'charged twice', 'double charged', 'charged me twice',
        'billed twice', 'overcharg*', 'not happy', 'not satisfied', 'dissatisfied', 'unhappy', 'fed up',
        'sick of', 'tired of', 'still waiting', 'never arrived', 'never received', 'never showed up',
        'never turned up', 'never came', 'no show', 'thanks for nothing', 'unusable'),
      ...w(3, 'disappoint*', 'frustrat*', 'angry', 'furious', 'annoyed', 'annoying', 'upset', 'terrible',
        'horrible', 'awful', 'worst', 'ridiculous', 'outrageous', 'disgrace*', 'disgust*', 'pathetic',
        'shocking', 'appalling', 'unfair', 'not fair', 'nightmare', 'rude', 'unprofessional', 'incompetent',
        'scam', 'scammed', 'cheated', 'misleading', 'misled', 'lied', 'lying', 'refund*', 'money back',
        'compensation', 'compensate', 'reimburse*', 'broken', 'damaged', 'defective', 'faulty', 'defect',
        'defects', 'not working', "doesn't work", 'does not work', "isn't working", 'is not working',
        "aren't working", 'stopped working', "won't work", "won't turn on", "won't start", "won't load",
        "won't open", "won't charge", 'not loading', 'crash*', 'keeps freezing', 'froze', 'outage',
        'hidden fee*', 'hidden charge*', 'wrong item', 'wrong order', 'wrong size', 'wrong colour',
        'wrong color', 'wrong product', 'wrong amount', 'wrong bill', 'wrongly', 'incorrect charge',
        'incorrectly', 'charged me', "haven't received", 'have not received', "hasn't arrived",
        'has not arrived', "didn't arrive", 'did not arrive', "didn't receive", 'did not receive',
        'not received', 'not delivered', 'never delivered', 'still not', 'still no', 'still broken',
        "still hasn't", "still haven't", "still can't", 'still nothing', 'no response', 'no reply', 'no answer',
        'nobody answered', 'no one answered', 'nobody has', 'no one has', 'nobody replied', 'nobody called',
        'no one called', 'no help', "didn't help", 'not helpful', 'unhelpful', 'ignored', 'ignoring', 'hung up',
        'without telling', 'without my consent', 'without my permission', 'without permission',
        'without notice', 'without warning', 'without asking', 'without informing', 'never signed up',
        'never ordered', 'never agreed', "didn't order", "didn't authorize", "didn't authorise",
        'i did not make', "i didn't make", 'i never made', 'not authorized', 'not authorised', 'unauthori*',
        'fraud*', 'stolen', 'hacked', 'throttl*', 'useless', 'waste of', 'wasted', 'not resolved', 'unresolved',
        'not fixed', 'no fix', 'poor service', 'bad service', 'poor quality', 'bad quality', 'lousy', 'spoiled',
        'rotten', 'mouldy', 'moldy', 'contaminated', 'fake', 'counterfeit', 'overheat*', 'unsafe', 'dangerous',
        'legal action', 'lawyer', 'ombudsman', 'regulator', 'trading standards', 'consumer protection',
        'take my business elsewhere', 'switch to another', 'switching provider', 'switching to another',
        'going to cancel', 'thinking of leaving', 'where is my', "where's my", 'smashed', 'cracked',
        'shattered', 'ruined', 'shouted', 'yelled', 'swore at', 'uncalled for', 'is there a reason',
        'never asked', "didn't ask for", 'did not ask for', 'never requested', 'without fixing', 'billed for',
        'charged for', 'want my money back', 'should have', 'should have been', 'paid for', 'took my money',
        'took my payment', 'took the money', 'doubled', 'tripled', 'no one can', 'nobody can', 'no one seems',
        'nobody seems', 'pressured', 'pushy', 'mis sold', 'missold', 'not what i ordered', 'not as described',
        'nothing like', 'given to someone else', 'paid extra', 'extra charge', 'extra charges',
        'additional charge', 'surcharge', 'taken from my account', 'getting worse', 'even worse', 'fell apart',
        'falls apart', 'flimsy', 'shrunk', 'faded', 'undercooked', 'food poisoning', 'overbooked', 'impolite',
        'arrogant', 'condescending', 'patronising', 'patronizing', 'dismissive', 'disrespectful', 'laughed at',
        'mocked', 'discriminat*', 'harass*', 'threatened', 'data breach', 'keeps calling', 'keep calling',
        'stop calling', 'stop sending', 'unwanted calls', 'spam', 'spamming', 'tricked', 'stopped responding',
        'not responding', 'unresponsive', 'no longer works', 'disappeared', 'vanished', 'dirty', 'filthy',
        'cockroach*', 'insect*', 'hair in', 'no explanation', 'messed up', 'screwed up', 'botched',
        'kept me waiting', 'logged out', 'kicked out', 'refused', 'refuses', 'denied', 'price increase',
        'went up', 'for hours', 'for days', 'for weeks', 'for a week', 'over a week', 'for a month',
        'no one can explain', 'keep sending', 'keeps sending', 'for * days', 'for * weeks', 'for * hours',
        'for * months', '* days ago', '* weeks ago', 'even though', 'even after', 'even when', 'even on',
        'no hot water', 'no water', 'no power', 'no electricity', 'no heating', 'no heat', "doesn't answer",
        "didn't answer", 'not answering', 'nobody answers', 'no one answers', 'nobody can tell',
        'no one can tell', 'still shows', 'still showing', 'still says'),
      ...w(2.5, 'leak*', 'scratch*', 'dent', 'dented', 'missing', 'cancelled my', 'canceled my', 'cut off',
        'keeps disconnecting', 'keeps dropping', 'too slow', 'so slow', 'extremely slow', 'no service',
        'no internet', 'is down', 'escalate', 'sloppy', 'careless', 'demand', 'not good enough', 'poor',
        'failed', 'fails', 'failing', 'failure', 'blank screen', 'error message', 'expired', 'no signal',
        "can't use", 'cannot use', 'not able to use', 'sue', 'suing', 'court', 'bbb', 'inconvenien*', 'hassle',
        'promised', 'on hold', 'smell*', 'burn*', 'smoke', 'injur*'),
      ...w(2, 'delay', 'delays', 'delayed', 'late', 'lost my', 'lost our', 'disconnected', 'drops', 'dropping',
        'dropped', 'error', 'errors', 'glitch*', 'bug', 'bugs', 'buggy', 'mistake', 'mistakes', 'charged',
        "can't log in", 'cannot log in', 'unable to log in', "can't access", 'cannot access', 'locked out',
        'second time', 'third time', 'fourth time', 'fifth time', 'yet again', 'once again', 'multiple times',
        'several times', 'many times', 'four times', 'three times', 'five times', 'repeatedly', 'keep getting',
        'keep having', 'waited', 'hours on hold', 'supervisor', 'joke', 'shame', "what's going on", 'why was i',
        'why am i', 'why have i', 'why is my', 'why has my', 'why did you', 'report this', 'bad review',
        'replacement', 'went down', 'soggy', 'deducted', 'debited', 'rejected', 'suspended', 'terminated',
        'cancelled', 'canceled', 'missed', 'worse', 'torn', 'ripped', 'stain*', 'peeling', 'rust*', 'mould',
        'noise', 'noisy', 'smelly', 'sick', 'loose', 'days ago', 'weeks ago', 'twice', 'poorly', 'badly',
        'barely', 'no longer', 'explain why', 'penalty', 'late fee', 'despite', 'keep', 'since', 'slow'),
      ...w(1.5, 'problem', 'problems', 'keeps', 'every time', 'attitude', 'manager', 'waiting', 'stuck', 'mess',
        'messed', 'bad', 'again', 'issue', 'issues'),
      ...w(1, 'why', 'still', 'every day', 'every night', 'every evening', 'every morning'),
    ],
    // Ideas and requests to improve a product or service.
    suggestion: [
      ...w(4, 'suggestion', 'suggestions', 'suggest', 'feature request', 'would be great if',
        'would be nice if', 'would be good if', 'would be helpful if', 'would be better if',
        'would be useful if', 'would be great', 'would be nice', 'would be helpful', 'would be useful',
        'would be awesome', 'would be handy', 'would be cool', 'would be better', 'would love to see',
        "i'd love to see", "it'd be nice", "it'd be great", "it'd be useful", "it'd be helpful", 'please add',
        'please consider', 'have you thought about', 'have you considered', 'would you consider',
        'could you consider', 'nice to have', 'my idea', 'one idea', 'an idea', 'just an idea',
        'just a thought', 'proposal', 'propose', 'wish list', 'wishlist', 'idea for', 'bring back',
        'why not add', "why don't you", 'please allow', 'please think about', 'think about adding',
        'would save', 'would improve', 'would reduce', 'would let', 'would allow', 'might be worth',
        'worth adding', 'worth considering', 'love it if', "i'd love", 'i would love', 'love to see',
        'would bring'),
      ...w(3, 'idea', 'ideas', 'could you add', 'can you add', 'could you please add', 'you should add',
        'you should offer', 'you should', 'you could', 'you guys should', 'you might', 'maybe you',
        'perhaps you', 'should be able to', 'should have an option', 'should let', 'should allow',
        'consider adding', 'consider offering', 'consider making', 'consider', 'would help', 'would make',
        'would like to see', "i'd like to see", 'wish', 'i wish', 'hope you', 'improve', 'improvement',
        'improvements', 'enhance*', 'option to', 'ability to', 'able to choose', 'add an option', 'adding',
        'introduce', 'introducing', 'support for', 'in the future', 'future update', 'next update',
        'next release', 'next version', 'roadmap', 'better if', 'more convenient', 'i think you should',
        'should have a', 'should have an', 'should have more', 'should offer', 'should include',
        'should provide', 'should add', 'should be able', 'should support'),
      ...w(2, 'feature', 'features', 'integration', 'integrate', 'by default', 'how about', 'expand',
        'more options', 'recommendation', 'let us', 'let users', 'let customers', 'let people', 'offering',
        'alternative', 'instead of', 'rather than', 'not just', 'easier', 'design', 'redesign', 'extend',
        'customi*', 'personali*', 'it would', 'maybe', 'perhaps', 'could the app', 'could the website',
        'can the app', 'should', 'allow us', 'allow users', 'allow customers', 'let me choose', 'it might be',
        'eco friendly', 'sustainab*', 'greener', 'accessib*', 'more languages', 'tutorial', 'translation',
        'function', 'functionality', 'think about', 'need a', 'needs a', 'need an', 'needs an', 'cheaper'),
      ...w(1.5, 'option', 'allow', 'allowing', 'offer', 'feedback', 'why not', 'what about', 'add a', 'add an',
        'add the', 'add', 'better', 'more', 'also', 'version'),
      ...w(1, 'would'),
    ],
    // Questions, how-to, service and account requests, thanks.
    care: [
      ...w(3.5, 'thank*', 'appreciate*', 'grateful', 'kudos', 'compliment*', 'shout out', 'great job',
        'well done', 'great service', 'excellent service', 'fantastic service', 'wonderful service'),
      ...w(3, 'how do i', 'how can i', 'how do we', 'how can we', 'how to', 'how does', 'how long', 'how much',
        'how many', 'what do i need', 'where can i', 'where do i', 'where is the', 'where are', 'question',
        'questions', 'quick question', 'wondering', 'wonder', 'inquir*', 'enquir*', 'copy of', 'opening hours',
        'please advise', 'please update', 'please change', 'please reset', 'walk me through',
        'walk her through', 'walk him through', 'walk us through', 'please add my', 'add my', 'add someone',
        'add a user', 'add a line', 'add a second', 'walk them through', 'can someone', 'could someone',
        'need help', 'help me', 'please help', 'can you help', 'could you help', 'i would like to',
        "i'd like to", 'would like to know', 'i would like', "i'd like", 'reset', 'forgot', 'forgotten',
        "can't remember", 'cannot remember', "don't remember", 'update my', 'change my', 'updating my',
        'changing my', 'close my account', 'cancel my', 'reschedule', 'what time', 'tell me', 'let me know',
        'let us know', 'could you tell', 'can you tell', 'do you have', 'do you offer', 'do you sell',
        'do you accept', 'do you ship', 'is there', 'are there', 'is it possible', 'am i able', 'do i need',
        'can i', 'could i', 'may i', 'explain', 'advice', 'sorted', 'happy with', 'satisfied', 'pleased',
        'quote', 'just checking', 'cheers', 'all good', 'what should i do', 'what should i', 'help with',
        'wanted to ask', 'do you know', 'in stock', 'recommend a', 'did you receive', 'you received',
        'tracking number', 'order number', 'follow up', 'following up'),
      ...w(2.5, 'assist*', 'information', 'info', 'details', 'instructions', 'step by step', 'show me',
        'guide me', 'upgrade', 'upgrading', 'downgrade', 'activate', 'activation', 'set up', 'setting up',
        'setup', 'register', 'registration', 'renew', 'renewal', 'top up', 'send me', 'please send',
        'please cancel', 'please confirm', 'new address', 'moving', 'turn on', 'turn off', 'eligible',
        'eligibility', 'i need to', 'i want to', 'what is', 'what are', "what's", 'when does', 'when is',
        'when do', 'which', 'pay my', 'pay by', 'pay with', 'helpful', 'friendly', 'resolved', 'fixed'),
      ...w(2, 'transfer', 'transferred', 'move', 'install', 'installation', 'configure', 'sign up', 'check',
        'track', 'tracking', 'status', 'receipt', 'statement', 'open', 'hours', 'price', 'prices', 'pricing',
        'cost', 'costs', 'rates', 'schedule', 'confirm', 'confirmation', 'verify', 'requirements', 'enable',
        'disable', 'advise', 'recommend', 'which plan', 'cancel', 'can you', 'could you', 'do you', 'does it',
        'is it', 'are you', 'when will', 'just wanted to', 'amazing', 'quickly', 'help'),
      ...w(1.5, 'due', 'pin', 'helping', 'ask', 'asking', 'know if', 'suit', 'checking', 'size', 'colour',
        'color', 'password', 'balance', 'contract', 'warranty', 'roaming', 'available', 'availability',
        'documents', 'book', 'booking'),
      ...w(1, 'please', 'need', 'address', 'appointment', 'usage', 'account', 'plan', 'guarantee', 'when'),
    ],
  },
  priority: {
    urgent: ['urgent', 'urgently', 'emergency', 'immediately', 'immediate', 'right away', 'fraud*', 'scam',
      'scammed', 'stolen', 'hacked', 'identity theft', 'unauthori*', 'not authorized', 'not authorised',
      'i did not make', "i didn't make", 'i never made', 'lawyer', 'attorney', 'legal action', 'lawsuit', 'sue',
      'suing', 'court', 'police', 'on fire', 'caught fire', 'fire hazard', 'smoke', 'sparks', 'sparking',
      'explod*', 'explosion', 'electric shock', 'electrocuted', 'gas leak', 'injur*', 'hospital', 'danger*',
      'unsafe', 'hazard*', 'life threatening', 'outage', 'completely down', 'totally down', 'entirely down',
      'is down', 'are down', 'everything is down', 'no service at all', 'burning smell', 'overheat*',
      'food poisoning', 'allergic reaction', 'data breach', 'harass*', 'threatened'],
    high: ['unacceptable', 'not acceptable', 'ridiculous', 'outrageous', 'furious', 'angry', 'livid',
      'disgust*', 'disgrace*', 'fed up', 'sick of', 'tired of', 'worst', 'terrible', 'horrible', 'awful',
      'pathetic', 'appalling', 'incompetent', 'second time', 'third time', 'fourth time', 'fifth time',
      'multiple times', 'several times', 'many times', 'three times', 'four times', 'five times',
      'again and again', 'yet again', 'once again', 'repeatedly', 'keeps happening', 'every single time',
      'still not', 'still no', 'still waiting', 'still broken', "still hasn't", "still haven't", "still can't",
      'charged twice', 'double charged', 'charged me twice', 'billed twice', 'overcharg*', 'lost money',
      'money back', 'where is my money', 'escalate', 'escalation', 'supervisor', 'speak to * manager',
      'talk to * manager', 'speak to * supervisor', 'regulator', 'ombudsman', 'bbb', 'better business bureau',
      'trading standards', 'consumer protection', 'report you', 'social media', 'take my business elsewhere',
      'switch to another', 'switching provider', 'never again', 'formal complaint', 'compensation',
      'compensate', 'asap', 'as soon as possible', 'false advertising', 'rip off', 'ripped off', 'on hold for',
      'discriminat*', 'getting worse', 'pressured', 'mis sold', 'missold'],
    low: ['thank*', 'appreciate*', 'grateful', 'kudos', 'just wanted to say', 'just a thought', 'just an idea',
      'no rush', 'no hurry', 'not urgent', 'whenever you can', 'when you get a chance', 'when you have time',
      'minor', 'small suggestion', 'small idea', 'would be nice', 'nice to have', 'great job', 'well done',
      'love the'],
  },
  negators: ['not', 'no', 'never', "don't", "doesn't", "didn't", "isn't", "wasn't", "aren't", "weren't",
    "won't", "can't", 'cannot', "haven't", "hasn't", "hadn't", "couldn't", "wouldn't", "shouldn't", 'without',
    'hardly', 'nothing'],
  negatableTypes: ['care'],
  questionWeight: 1,
};

const zh: LanguageRules = {
  types: {
    // 出了问题：质量、扣费、延误、态度、退款、故障、升级投诉。
    complaint: [
      ...w(4, '投诉', '差评', '不满意', '不满', '太差', '很差', '真差', '差劲', '垃圾', '恶劣', '忍无可忍',
        '太过分', '凭什么', '欺骗', '欺诈', '骗子', '骗人', '坑人', '被坑', '忽悠', '虚假宣传', '虚假', '假货',
        '次品', '质量问题', '质量差', '质量太差', '不负责任', '不负责', '敷衍', '推诿', '踢皮球', '维权',
        '工信部', '消协', '消费者协会', '12315', '给个说法', '什么态度', '什么服务', '多扣', '扣错', '乱扣',
        '重复扣', '多收', '乱收费', '莫名其妙', '未经同意', '未经允许', '未经我同意', '私自', '擅自', '没收到',
        '未收到', '没有收到', '闪退', '死机', '黑屏', '崩溃', '打不通', '连不上', '上不了网', '登录不了',
        '登不上', '无法登录', '用不了', '不能用', '无法使用', '坏了', '坏掉', '破损', '损坏', '漏水', '漏电',
        '漏油', '划痕', '瑕疵', '不符', '货不对板', '发错', '错发', '少发', '漏发', '丢件', '退钱', '退款',
        '赔偿', '索赔', '延误', '迟迟', '没人管', '没人理', '没人处理', '没人来', '没人接', '没有人', '没解决',
        '没有解决', '未解决', '还是没', '还没解决', '还没退', '还没到', '还没收到', '一直没', '一直不',
        '一直在', '一直提示', '耽误', '气人', '气死', '愤怒', '生气', '失望', '无语', '离谱', '过分', '受不了',
        '无法忍受', '态度差', '态度很差', '态度不好', '不耐烦', '不专业', '骚扰', '盗刷', '被盗', '诈骗',
        '被骗', '泄露', '异味', '发霉', '变质', '发烫', '过热', '烧焦', '焦味', '短路', '冒烟', '火花', '过期',
        '缩水', '以次充好', '爽约', '失约', '不退', '不给退', '拒绝退', '拖延', '拖着', '一拖再拖', '没人联系',
        '没人回', '没同意', '没有同意', '未同意', '不同意', '被改', '失灵', '不灵', '按不动', '不动了',
        '才用了', '才用', '没修好', '修不好', '掉色', '褪色', '说好', '权力', '不能接受', '无法接受',
        '接受不了', '不闻不问', '服务差', '服务太差', '质量不好', '霸王条款', '辱骂', '爱答不理', '垃圾短信',
        '乱涨价', '还在扣', '乱扣钱'),
      ...w(3, '故障', '断线', '断网', '掉线', '信号差', '没信号', '网速慢', '太慢', '很慢', '卡顿', '报错',
        '错误', '出错', '错了', '搞错', '不对', '不一致', '不准', '不工作', '不亮', '不转', '乱码', '失败',
        '打不开', '进不去', '收不到', '丢失', '丢了', '碎了', '烂了', '扣了', '被扣', '乱扣费', '扣费', '多次',
        '屡次', '反复', '一再', '再次出现', '又出现', '又坏', '又来', '每次都', '老是', '总是', '到底',
        '怎么回事', '搞什么', '怎么搞的', '不给', '不处理', '再不处理', '损失', '补偿', '退还', '道歉', '曝光',
        '举报', '起诉', '律师', '法院', '推销', '危险', '安全隐患', '不合格', '翻新', '延迟', '迟到', '等了',
        '没来', '没到', '太麻烦', '难用', '不好用', '浪费', '白跑', '白等', '态度', '强制', '捆绑', '套路',
        '不能退', '不让', '难道', '高了', '太贵', '收费不合理', '不合理', '不透明', '挂断', '挂了电话', '被挂',
        '不回复', '没回复', '没有回复', '不理', '不理人', '扣钱', '排了', '等了半天', '太久', '拖了', '不管',
        '管不管', '太烂', '很烂', '很脏', '太脏', '又脏', '有虫', '虫子', '异物', '拉肚子', '食物中毒',
        '不新鲜', '夹生', '缺件', '少件', '差太多', '差很多', '起球', '开线', '开胶', '变形', '裂了', '裂开',
        '生锈', '噪音', '噪声', '异响', '信号不好', '网络不好', '网络差', '没网', '多付', '白交', '冤枉钱',
        '推脱', '推卸', '互相推', '强行', '被迫', '诱导', '误导', '不告知', '没告知', '没有告知', '不通知',
        '没通知', '没有通知', '隐瞒', '歧视', '冷漠', '态度冷淡', '嘲笑', '威胁', '天天打', '不要再打',
        '别再打', '不要再发', '退订了还', '尺码不对', '没到账', '未到账', '不到账', '查不到', '推来推去',
        '违约金', '不需要的', '根本不需要', '给我办了', '不出', '影响使用', '严重影响'),
      ...w(2, '不回', '不一样', '就不', '根本', '明明', '还显示', '影响了', '征信', '售后', '不到一个月',
        '排队', '半天', '好久', '很久', '不好', '不行', '烂', '脏', '臭', '头发', '过敏', '凉了', '少了',
        '缺少', '差距', '碎', '脱落', '声音很大', '断了', '停电', '停水', '涨价', '贵了', '不予', '凶', '吼',
        '骂', '一直打', '要求', '三次', '几次', '好几次', '两次', '第二次', '第三次', '再次', '又', '经常',
        '频繁', '为什么', '怎么还', '还没', '还不', '一整天', '几天', '慢', '差', '坏', '骗', '坑', '报修',
        '维修', '停机', '被停', '欠费', '媒体', '没人', '到现在', '至今', '听不懂', '上级', '领导', '负责人',
        '退货', '换货', '问题', '烦', '拒绝', '投诉电话'),
    ],
    // 改进产品或服务的想法和请求。
    suggestion: [
      ...w(6, '建议'),
      ...w(4, '提议', '小建议', '提个建议', '提建议', '提个意见', '希望增加', '希望能增加', '希望可以增加',
        '希望能够', '希望能', '希望可以', '希望以后', '希望下次', '希望今后', '希望将来', '能否增加',
        '能不能增加', '可不可以增加', '可以增加', '可以考虑', '考虑一下', '考虑推出', '考虑增加', '就好了',
        '就更好了', '会更好', '会更完美', '更完美', '更人性化', '就方便了', '就方便多了', '方便多了',
        '方便很多', '会方便很多', '点子', '不妨', '我有个想法', '有个想法', '建议增加', '期待', '盼望', '呼吁'),
      ...w(3, '增加', '增设', '添加', '加一个', '加个', '加上', '新增', '推出', '开发', '优化', '改进', '改善',
        '完善', '提升', '如果能', '如果可以', '要是能', '要是可以', '最好能', '最好可以', '最好', '想法',
        '意见', '考虑', '更方便', '更好', '人性化', '多一些', '多一点', '出一个', '出个', '做一个', '搞一个',
        '搞个', '弄一个', '快一点', '简单一点', '支持', '开放', '延长', '功能', '选项', '模式', '版本',
        '做得再', '能不能做', '可以做得', '再好一点', '环保', '以后', '今后', '将来', '下次', '能提供',
        '更显眼', '更快', '更便宜', '更清楚', '更简单', '更直观', '多开', '多设', '多放', '多安排', '加装',
        '设置一个', '开设', '可以在', '这样', '也能', '专用', '方便用户', '方便顾客', '方便大家', '方便老人'),
      ...w(2, '希望', '应该', '可以', '能不能', '可不可以', '能否', '如果', '要是', '不如', '改用', '换成',
        '改为', '减少', '扩大', '更多', '太少', '太小', '不够', '体验', '提醒', '通知', '活动', '优惠', '设计',
        '界面', '页面'),
      ...w(1.5, '提供', '显眼', '分期', '入口', '方便'),
      ...w(1, '显示'),
    ],
    // 咨询、办理、查询、帮助、感谢（主题词如「套餐」「账单」权重低）。
    care: [
      ...w(4, '请问', '咨询', '问一下', '想问', '想了解', '了解一下', '谢谢', '感谢', '多谢', '表扬', '点赞',
        '好评', '周到', '辛苦了', '怎么操作', '如何操作', '怎么办理', '如何办理', '怎么设置', '如何设置',
        '怎么查', '如何查', '怎么开', '怎么申请', '如何申请', '需要什么', '需要准备', '需要带', '营业时间',
        '几点', '帮我查', '查一下', '剩多少', '还剩', '还有多少', '有没有', '在哪里', '在哪儿', '哪里有',
        '在哪', '是多少', '是否可以', '可以吗', '行吗', '好吗', '能帮我', '帮我', '到什么时候', '有推荐',
        '收到退款', '已经收到', '已收到', '处理得很快', '很及时', '怎么弄', '帮我看看', '怎么收费', '如何收费',
        '麻烦把', '重新开', '请重新'),
      ...w(3, '怎么', '怎样', '如何', '帮忙', '麻烦帮', '麻烦你', '协助', '指导', '讲解', '教一下', '教我',
        '学会', '不会用', '不会设置', '不会操作', '重置', '忘记', '忘了', '找回', '修改', '更改', '变更',
        '改成', '改到', '开通', '办理', '申请', '注销', '退订', '暂停', '转移', '迁移', '移机', '过户', '搬家',
        '激活', '绑定', '解绑', '多少钱', '多久', '什么时候', '登记', '满意', '热情', '耐心', '及时',
        '处理好了', '解决了', '已经解决', '已解决', '服务很好', '很专业', '查询', '办一张'),
      ...w(2, '取消', '充值', '缴费', '交费', '新地址', '多少', '预约', '安排', '安装', '证件', '材料', '手续',
        '流程', '步骤', '保修', '保修期', '延保', '开票', '寄送', '邮寄', '资费', '收费标准', '价格', '余额',
        '密码', '截止', '身份证', '原件', '推荐', '适合', '合适', '需要', '想要', '我想', '想把', '请帮',
        '请把', '麻烦', '吗', '呢', '是否', '能不能帮', '可以帮', '看看', '通话记录', '重新'),
      ...w(1, '给我', '设置', '操作', '专业', '解决', '账单', '话费', '流量', '宽带', '地址', '时间', '明细',
        '号码', '非常好', '很好', '营业厅', '套餐', '漫游', '出国', '发票', '上门', '记录', '能到', '很快',
        '办', '弄'),
    ],
  },
  priority: {
    urgent: ['紧急', '十万火急', '马上处理', '马上解决', '立刻', '立即', '火灾', '着火', '起火', '冒烟', '爆炸',
      '触电', '漏电', '煤气泄漏', '燃气泄漏', '漏气', '泄漏', '烧焦', '短路', '火花', '焦味', '泄露', '受伤',
      '住院', '医院', '危险', '安全隐患', '人身安全', '诈骗', '被骗', '盗刷', '被盗', '盗号', '冒用', '冒名',
      '律师', '起诉', '法院', '报警', '警察', '公安', '法律', '瘫痪', '完全无法', '全部中断', '大面积',
      '全面中断', '停摆', '食物中毒', '过敏'],
    high: ['投诉', '工信部', '消协', '消费者协会', '12315', '曝光', '媒体', '差评', '维权', '气死', '气人',
      '愤怒', '忍无可忍', '太过分', '受不了', '无法忍受', '恶劣', '垃圾', '骗子', '欺骗', '欺诈', '坑人',
      '多次', '屡次', '反复', '一再', '三次', '第三次', '好几次', '又一次', '再次出现', '又出现', '还是没',
      '一直没', '至今', '多扣', '重复扣', '乱扣', '多收', '乱收费', '损失', '赔偿', '索赔', '退钱', '尽快',
      '再不处理', '给个说法', '不负责任', '凭什么', '领导', '负责人', '上级', '一拖再拖', '过热', '发烫',
      '不能接受', '无法接受', '辱骂', '霸王条款', '拉肚子'],
    low: ['谢谢', '感谢', '多谢', '表扬', '点赞', '不急', '不着急', '有空', '方便的时候', '小建议', '随便问问',
      '顺便问', '辛苦了', '好评', '一点小', '可以考虑', '不妨'],
  },
  negators: ['不', '没', '没有', '未', '别', '无'],
  negatableTypes: ['care'],
  questionWeight: 1,
};

export const defaultClassificationRules: ClassificationRules = {
  version: 1,
  languages: { en, zh },
  fallback: { type: 'care', confidence: 0.3 },
  defaultPriority: { complaint: 'normal', suggestion: 'low', care: 'normal' },
  exclamationsForHigh: 2,
  zhThreshold: 0.3,
};
