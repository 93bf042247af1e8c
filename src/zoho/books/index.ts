/** Zoho Books (and products with its API shape): the public API. */
export * from './catalog';
export {
  BOOKS,
  BOOKS_MAX_PER_PAGE,
  BOOKS_RATE_LIMIT,
  BooksCallOptions,
  BooksOrganization,
  BooksRateLimit,
  BooksRecord,
  BooksRequester,
  FinanceProduct,
  OrganizationChoice,
  checkEntity,
  isBooksEntity,
  listOrganizations,
  resolveOrganization,
} from './core';
export * from './records';
export * from './files';
export {
  BOOKS_CHANGE_EVENTS,
  BooksChange,
  BooksChangeEvent,
  BooksMark,
  MAX_SORT_PAGES,
  booksTime,
  checkWatchEntities,
  watchableTypes,
} from './changes';
export * from './change-poller';
