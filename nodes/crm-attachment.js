module.exports = require('../dist/src/nodes/crm-attachment/index.js');
