// Runs the BSI CSAF validator library (@secvisogram/csaf-validator-lib, as Secvisogram and the
// BSI's validator service use it) on CSAF 2.0 documents: the strict OASIS schema, every
// mandatory test (6.1), every optional test (6.2) and the informative tests (6.3) that need
// neither the network (6.3.6, 6.3.7 fetch URLs) nor hunspell (6.3.8).
//
//   node validate.mjs FILE.json...   ->  JSON on stdout: [{file, tests: [{name, group, isValid,
//                                        errors, warnings, infos}]}]
import { readFile } from 'node:fs/promises'
import validateStrict from '@secvisogram/csaf-validator-lib/validateStrict.js'
import * as schema from '@secvisogram/csaf-validator-lib/schemaTests.js'
import * as mandatory from '@secvisogram/csaf-validator-lib/mandatoryTests.js'
import * as optional from '@secvisogram/csaf-validator-lib/optionalTests.js'
import * as informative from '@secvisogram/csaf-validator-lib/informativeTests.js'

const OFFLINE = new Set(['informativeTest_6_3_6', 'informativeTest_6_3_7', 'informativeTest_6_3_8'])
const groups = [
  ['schema', [schema.csaf_2_0_strict]],
  ['mandatory', Object.values(mandatory)],
  ['optional', Object.values(optional)],
  ['informative', Object.values(informative).filter((t) => !OFFLINE.has(t.name))],
]

const report = []
for (const file of process.argv.slice(2)) {
  const doc = JSON.parse(await readFile(file, 'utf8'))
  const tests = []
  for (const [group, list] of groups) {
    const result = await validateStrict(list, doc)
    for (const t of result.tests) tests.push({ group, ...t })
  }
  report.push({ file, tests })
}
process.stdout.write(JSON.stringify(report, null, 1) + '\n')
