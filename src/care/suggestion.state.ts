import type { SuggestionStage } from '../tickets/ticket.model';

/**
 * A suggestion's lifecycle, the only place that says which stage may follow which:
 *   under_review → accepted → planned → shipped, or declined (with a reason) on the way;
 *   a declined suggestion may be reviewed again. Shipped is final.
 */
const STAGES: Readonly<Record<SuggestionStage, readonly SuggestionStage[]>> = {
  under_review: ['accepted', 'declined'],
  accepted: ['planned', 'shipped', 'declined'],
  planned: ['shipped', 'declined'],
  shipped: [],
  declined: ['under_review'],
};

export const nextStages = (from: SuggestionStage): readonly SuggestionStage[] => STAGES[from];

/** Null when allowed, otherwise the reason it is not. */
export function stageError(from: SuggestionStage, to: SuggestionStage): string | null {
  if (from === to) return `the suggestion is already ${to}`;
  if (STAGES[from].includes(to)) return null;
  if (from === 'shipped') return 'a shipped suggestion is final';
  return `a suggestion ${from.replace('_', ' ')} cannot become ${to.replace('_', ' ')} (allowed: ${STAGES[from].join(', ')})`;
}
