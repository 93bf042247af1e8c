/** What every Zoho product shares: connection, auth, HTTP, errors, regions, paging, batching. */
export * from './errors';
export * from './regions';
export * from './auth';
export * from './http';
export * from './connection';
export * from './redact';
export { Clock, systemClock } from './clock';
export { CreditInfo, ResponseType } from './response';
export * from './validate';
export * from './paginate';
export * from './batch';
export * from './raw';
