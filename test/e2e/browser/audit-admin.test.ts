// Issue 15, how it must be shown: axe-core and Lighthouse on every page an admin sees, desktop and phone
// (test/helpers/page-audit.ts; one file per visitor so each stays well inside the file timeout).
import { describePageAudit } from '../../helpers/page-audit.js';

describePageAudit('admin');
