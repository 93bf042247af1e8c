module.exports = require('../dist/src/nodes/crm-record/index.js');
