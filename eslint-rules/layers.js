// @ts-check
/**
 * `apigw/layers`: which folder may import which (docs/architecture.md, "Layers"). Each layer is a
 * folder; a file belongs to the deepest layer whose folder holds it, and may import its own layer,
 * the layers in `allow`, and of the layers in `entry` only their entry file (index.ts). Files in
 * no layer (tests, benchmarks, scripts) may import anything. Only relative imports are checked:
 * packages and node builtins are every layer's to use.
 */
const path = require('node:path');

/** @type {import('eslint').Rule.RuleModule} */
module.exports = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the import direction between the folders of the codebase' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          layers: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                folder: { type: 'string' },
                allow: { type: 'array', items: { type: 'string' } },
                entry: { type: 'array', items: { type: 'string' } },
              },
              required: ['folder'],
              additionalProperties: false,
            },
          },
        },
        required: ['root', 'layers'],
        additionalProperties: false,
      },
    ],
    messages: {
      forbidden:
        "'{{source}}' ({{from}}) may not import '{{target}}' ({{to}}): see the layers in docs/architecture.md.",
      entryOnly:
        "'{{source}}' ({{from}}) may use {{to}} only through its entry '{{to}}/index.ts', not '{{target}}'.",
    },
  },

  create(context) {
    const { root, layers } = context.options[0];
    const byDepth = [...layers].sort((a, b) => b.folder.length - a.folder.length);
    /** The layer holding a repository-relative path, if any. */
    const layerOf = (rel) => byDepth.find((l) => rel === l.folder || rel.startsWith(`${l.folder}/`));
    const toRel = (abs) => path.relative(root, abs).split(path.sep).join('/');

    const fileRel = toRel(context.filename);
    const from = layerOf(fileRel);
    if (!from) return {};

    /** @param {import('estree').Node | null | undefined} node */
    function check(node) {
      if (!node || node.type !== 'Literal' || typeof node.value !== 'string') return;
      const spec = node.value;
      if (!spec.startsWith('.')) return;
      const target = toRel(path.resolve(path.dirname(context.filename), spec)).replace(/\.(ts|js)$/, '');
      const to = layerOf(target);
      if (!to || to === from || (from.allow ?? []).includes(to.folder)) return;
      const data = { source: fileRel, from: from.folder, target, to: to.folder };
      if ((from.entry ?? []).includes(to.folder)) {
        if (target === to.folder || target === `${to.folder}/index`) return;
        context.report({ node, messageId: 'entryOnly', data });
        return;
      }
      context.report({ node, messageId: 'forbidden', data });
    }

    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      CallExpression(node) {
        const callee = node.callee;
        const isRequire =
          (callee.type === 'Identifier' && callee.name === 'require') ||
          (callee.type === 'MemberExpression' &&
            callee.object.type === 'Identifier' &&
            callee.object.name === 'require' &&
            callee.property.type === 'Identifier' &&
            callee.property.name === 'resolve');
        if (isRequire && node.arguments.length > 0) check(/** @type {any} */ (node.arguments[0]));
      },
    };
  },
};
