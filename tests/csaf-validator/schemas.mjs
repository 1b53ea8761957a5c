// Prints the OASIS CSAF 2.0 JSON schema and FIRST's CVSS schemas it references, as shipped by the
// BSI CSAF validator library (@secvisogram/csaf-validator-lib), as one JSON object:
//   {"csaf": {...}, "https://www.first.org/cvss/cvss-v2.0.json": {...}, ...}
// tests/e2e/test_csaf.py validates the build's advisories with them in Python as well.
import csaf from '@secvisogram/csaf-validator-lib/lib/schemaTests/csaf_2_0/schema.js'
import cvss20 from '@secvisogram/csaf-validator-lib/schemas/cvss-v2.0.js'
import cvss30 from '@secvisogram/csaf-validator-lib/schemas/cvss-v3.0.js'
import cvss31 from '@secvisogram/csaf-validator-lib/schemas/cvss-v3.1.js'

process.stdout.write(JSON.stringify({
  csaf,
  'https://www.first.org/cvss/cvss-v2.0.json': cvss20,
  'https://www.first.org/cvss/cvss-v3.0.json': cvss30,
  'https://www.first.org/cvss/cvss-v3.1.json': cvss31,
}) + '\n')
