module.exports = require('../dist/src/nodes/zoho-config/index.js');
