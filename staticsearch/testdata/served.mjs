// servedClient imports the client as a built site serves it
// (SITE/static/search/client-HASH.js, compacted by client.go), so that the
// tests run what browsers get rather than client.js.
import { readFile, readdir } from 'node:fs/promises'

export async function servedClient (site) {
  const dir = site + '/static/search/'
  const name = (await readdir(dir)).find(f => /^client-[0-9a-f]+\.js$/.test(f))
  if (!name) throw new Error('no client in ' + dir)
  const src = await readFile(dir + name)
  return import('data:text/javascript;base64,' + src.toString('base64'))
}

// servedImport imports a script of the site folder (what Store.lazy loads)
// the way servedClient imports the client.
export async function servedImport (site, path) {
  const src = await readFile(site + path)
  return import('data:text/javascript;base64,' + src.toString('base64'))
}
