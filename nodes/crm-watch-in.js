module.exports = require('../dist/src/nodes/crm-watch-in/index.js');
