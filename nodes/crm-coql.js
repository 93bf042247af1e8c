module.exports = require('../dist/src/nodes/crm-coql/index.js');
