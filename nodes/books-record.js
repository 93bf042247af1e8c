module.exports = require('../dist/src/nodes/books-record/index.js');
