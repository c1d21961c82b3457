// Run summaries are pure and shared with the page: they live in common/.
export { createSummaryBuilder, percentile, summarizeTrace, type SummaryBuilder } from '../../common/runSummary';
