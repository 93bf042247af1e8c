module.exports = require('../dist/src/nodes/books-watch-in/index.js');
