module.exports = require('../dist/src/nodes/books-record.js');
