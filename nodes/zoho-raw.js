module.exports = require('../dist/src/nodes/zoho-raw/index.js');
