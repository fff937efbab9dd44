import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { AsyncRunnerOptions } from './options/async-runner-options.js';

/**
 * `forRoot(options)` and `forRootAsync({ imports, inject, useFactory | useClass | useExisting })`
 * come from Nest's builder, so async configuration behaves exactly like other Nest modules.
 * For `useClass`/`useExisting`, the class implements `createAsyncRunnerOptions()`.
 */
export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN: ASYNC_RUNNER_MODULE_OPTIONS, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<AsyncRunnerOptions>()
    .setClassMethodName('forRoot')
    .setFactoryMethodName('createAsyncRunnerOptions')
    .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
    .build();
