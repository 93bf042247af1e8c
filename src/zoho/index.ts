/** The Zoho client library, usable without Node-RED: the core, Zoho CRM and Zoho Books. */
export * from './core/index';
export * from './crm/index';
export * from './books/index';
