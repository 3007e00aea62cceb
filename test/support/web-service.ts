import { ApplicationService } from '../../src/intake/application-service.ts';
import { todayIn } from '../../src/permits/field-inputs.ts';
import { PermitRules } from '../../src/permits/permit-rules.ts';
import { ApplicationRepository } from '../../src/store/application-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import type { Config } from '../../src/config/config.ts';
import { ResumeLinks } from '../../src/web/resume-link.ts';
import { testDataKeys, TEST_KEY_A } from './keys.ts';
import { startTestService, testConfig, type TestService } from './service.ts';

/**
 * The whole service (startTestService) plus the configuration it runs
 * with, for the resume-link tests. Keys are TEST_KEY_A, so a test's own
 * ApplicationService and ResumeLinks over `db` read and sign exactly as the
 * server does.
 */
export interface WebService extends TestService {
  readonly config: Config;
}

export async function startWebService(env: Record<string, string> = {}): Promise<WebService> {
  const service = await startTestService(env);
  return { ...service, config: testConfig(env) };
}

/** What a test needs to make drafts and links the way the phone path does, over the service's database. */
export function draftTools(
  service: WebService,
  options: { repositoryNow?: () => Date; linksNow?: () => number } = {},
): { applications: ApplicationService; repository: ApplicationRepository; links: ResumeLinks } {
  const dataKeys = testDataKeys(TEST_KEY_A);
  const rules = new PermitRules({
    healthDistricts: service.config.healthDistricts,
    today: () => todayIn(service.config.departmentTimeZone, new Date()),
  });
  const repository = new ApplicationRepository(service.db, new FieldCipher(dataKeys), options.repositoryNow);
  return {
    applications: new ApplicationService({ repository, rules, timeZone: service.config.departmentTimeZone }),
    repository,
    links: new ResumeLinks(
      service.config.publicBaseUrl,
      dataKeys,
      options.linksNow === undefined ? {} : { now: options.linksNow },
    ),
  };
}
