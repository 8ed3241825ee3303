// `@stagelives/concerts/reminder-source`: what the notifications workers read from this domain
// to schedule, reconcile and re-check reminders, and nothing that builds the GraphQL schema or
// the server. Read-only, over the concerts `Db` (the workers process does the cross-domain
// reads; the notifications subgraph never opens this database).
export { ReminderSource, type ReminderConcert, type ReminderLike } from './like/reminder-source.repository.js';
