/** The Zoho client library, usable without Node-RED. */
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
export * from './crm';
export * from './coql';
export * from './attachments';
export * from './raw';
export * from './crm-settings';
export * from './books';
export * from './books-operation';
