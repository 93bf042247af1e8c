// A port nothing listens on at 127.0.0.1 now (the OS picks it), for the scripts that start a
// Node-RED or an npm start of their own beside whatever already runs.
const net = require('node:net');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

module.exports = { freePort };
