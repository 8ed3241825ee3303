// `@stagelives/concerts/status`: what the status job in workers/ needs from this domain, and
// nothing that builds the GraphQL schema or the server: the pure status rules, where concerts
// are stored (and the week a concert's start is filed under), the event outbox the job appends to and flushes, and the repository of the job's
// writes (status transitions, the like-count repair).
export { dueTransitions, effectiveEndOf, effectiveStatus, statusCondition, DEFAULT_CONCERT_DURATION_MS, type StatusFields } from './concert/concert-status.js';
export { CONCERTS_COLLECTION, startsWeekOf } from './concert/concert.repository.js';
export { ConcertStatusRepository } from './concert/concert-status.repository.js';
export { recountLikes, type RecountResult } from './like/like-count.repository.js';
export { LIKES_COLLECTION } from './like/reminder-source.repository.js';
export { invalidateConcertCounts } from './concert/concert-count.cache.js';
export { appendOrKeep, flushOutbox } from './events/concert-events.js';
export { eventOutbox, EVENT_OUTBOX_COLLECTION, type OutboxDocument } from './events/event-outbox.repository.js';
