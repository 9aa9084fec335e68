import { describe, expect, it } from 'vitest';
import { parseStageParams, parseStartOptions, UsageError } from './start-options.js';

describe("npm start's options", () => {
  it('passes each --param on, in order, the value being everything after the first =', () => {
    const options = parseStartOptions(['--param', 'paymentGraceSeconds=5', '--param', 'sweepRate=rate(2 seconds)', '--param', 'x=a=b'], {});
    expect(options).toMatchObject({ params: ['paymentGraceSeconds=5', 'sweepRate=rate(2 seconds)', 'x=a=b'] });
    expect(parseStartOptions(['--param=corsAllowedOrigins='], {})).toMatchObject({ params: ['corsAllowedOrigins='] });
    expect(parseStartOptions([], {})).toMatchObject({ params: [] });
  });

  it.each([
    ['paymentGraceSeconds', /key=value/],
    ['=5', /key=value/],
    ['payment-grace=5', /key=value/],
    ['payment grace=5', /key=value/],
    ['5grace=5', /key=value/],
  ])('refuses --param %s with a message that shows the shape', (param, message) => {
    expect(() => parseStageParams([param])).toThrow(UsageError);
    expect(() => parseStageParams([param])).toThrow(message);
  });

  it('refuses a key given twice, and authorizerMode, which --authorizer-mode sets', () => {
    expect(() => parseStageParams(['a=1', 'a=2'])).toThrow('--param a is given twice');
    expect(() => parseStageParams(['authorizerMode=function'])).toThrow('--authorizer-mode');
  });

  it('turns an unknown option or a missing value into a usage error, not a stack trace', () => {
    expect(() => parseStartOptions(['--nope'], {})).toThrow(UsageError);
    expect(() => parseStartOptions(['--param'], {})).toThrow(UsageError);
  });

  it('moves every port by the offset, up to the one that keeps the highest port a port', () => {
    const options = parseStartOptions(['--port-offset', '4500'], {});
    expect(options).toMatchObject({ ports: { http: 7500, sqs: 13824, dynamodb: 12500 } });
    expect(parseStartOptions([], { LOCAL_PORT_OFFSET: '10' })).toMatchObject({ ports: { http: 3010 } });
    expect(() => parseStartOptions(['--port-offset', '48850'], {})).toThrow('from 0 to 48849');
    expect(() => parseStartOptions(['--port-offset', '-1'], {})).toThrow(UsageError);
    expect(() => parseStartOptions(['--port-offset', '1.5'], {})).toThrow(UsageError);
  });

  it('keeps the other options and their environment defaults', () => {
    expect(parseStartOptions(['--help'], {})).toBe('help');
    expect(parseStartOptions(['--in-memory', '--no-iam', '--authorizer-mode', 'function'], {})).toMatchObject({
      inMemory: true,
      iam: false,
      authorizerMode: 'function',
    });
    expect(parseStartOptions([], { LOCAL_IAM: 'off', LOCAL_STACK_VERBOSE: '1' })).toMatchObject({
      iam: false,
      verbose: true,
      authorizerMode: 'gateway',
    });
    expect(() => parseStartOptions(['--authorizer-mode', 'lambda'], {})).toThrow('gateway, function');
  });
});
