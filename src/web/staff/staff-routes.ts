import express, { type Router } from 'express';
import { staffAdminRoutes } from './staff-admin-routes.ts';
import { callBackRoutes } from './call-back-routes.ts';
import { staffAuthRoutes, staffSessionCheck } from './staff-auth.ts';
import { staffConsoleRoutes } from './staff-console-routes.ts';
import { switchRoutes } from './switch-routes.ts';
import type { StaffRouteDeps } from './staff-deps.ts';

/** The staff console: sign-in, then every other /staff page behind the session check. */
export function staffRoutes(deps: StaffRouteDeps): Router {
  const router = express.Router();
  router.use(staffAuthRoutes(deps));
  router.use('/staff', deps.csrf.ensureBrowserId, staffSessionCheck(deps));
  router.use(staffConsoleRoutes(deps));
  router.use(callBackRoutes(deps));
  router.use(staffAdminRoutes(deps));
  router.use(switchRoutes(deps));
  return router;
}
