// A port nothing is listening on, asked of the operating system, so that test files run
// side by side never start two servers on the same port.
import { createServer } from 'node:net'

export function freePort () {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.unref()
    probe.on('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })
}
