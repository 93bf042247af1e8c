/** The Zoho client library, usable without Node-RED. */
export * from './errors';
export * from './regions';
export * from './auth';
export * from './http';
export * from './connection';
export * from './redact';
export { Clock, systemClock } from './clock';
export { CreditInfo, ResponseType } from './response';
