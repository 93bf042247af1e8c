module.exports = require('../dist/src/nodes/crm-bulk/index.js');
