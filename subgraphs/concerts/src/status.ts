// `@stagelives/concerts/status`: what the status job in workers/ needs from this domain, and
// nothing that builds the GraphQL schema or the server: the pure status rules, where concerts
// are stored, and the event outbox the job appends to and flushes.
export { dueTransitions, effectiveEndOf, effectiveStatus, statusCondition, DEFAULT_CONCERT_DURATION_MS, type StatusFields } from './concert/concert-status.js';
export { CONCERTS_COLLECTION } from './concert/concert.repository.js';
export { appendOrKeep, eventOutbox, flushOutbox, EVENT_OUTBOX_COLLECTION, type OutboxDocument } from './events/concert-events.js';
