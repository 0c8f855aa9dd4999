// Issue 15, how it must be shown: axe-core and Lighthouse on every page a visitor sees signed out, desktop and phone
// (test/helpers/page-audit.ts; one file per visitor so each stays well inside the file timeout).
import { describePageAudit } from '../../helpers/page-audit.js';

describePageAudit('anonymous');
