/**
 * The YAML of a SAM function (logical id `Hello`, under `Resources:`) with inline Node.js code that
 * answers 200 with `body`, behind `GET /hello` of the API `api`.
 */
export function inlineHelloFunction(api: string, body: string): string {
  return `  Hello:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: |
        exports.handler = async () => ({ statusCode: 200, body: ${JSON.stringify(body)} });
      Handler: index.handler
      Runtime: nodejs20.x
      Events:
        Get:
          Type: Api
          Properties:
            RestApiId: !Ref ${api}
            Path: /hello
            Method: get
`;
}
