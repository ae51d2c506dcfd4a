// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { endpointsByTag, refName, requestSchema, responseSchema, schemasOf, shortName, type ApiDocument } from './openapi'

const swagger2: ApiDocument = {
  swagger: '2.0',
  paths: {
    '/jobs/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, type: 'string' }],
      put: {
        tags: ['jobs'],
        parameters: [{ name: 'body', in: 'body', schema: { $ref: '#/definitions/pkg_api.UpdateJobRequest' } }],
        responses: { '200': { description: 'OK', schema: { $ref: '#/definitions/store.Job' } } },
      },
      delete: { tags: ['jobs'], responses: { '204': { description: 'No Content' } } },
    },
    '/health': { get: { responses: {} } },
  },
  definitions: { 'store.Job': { type: 'object' } },
}

const openapi3: ApiDocument = {
  openapi: '3.0.3',
  paths: {
    '/api/v1/groups/{id}/queue': {
      post: {
        tags: ['Groups'],
        requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/AddJobRequest' } } } },
        responses: { '201': { description: 'Created', content: { 'application/json': { schema: { $ref: '#/components/schemas/Job' } } } } },
      },
    },
  },
  components: { schemas: { Job: { type: 'object' } } },
}

describe('openapi helpers', () => {
  it('groups Swagger 2 operations by tag and merges path-level parameters', () => {
    const groups = endpointsByTag(swagger2)
    expect(groups.map(([tag, eps]) => [tag, eps.map((e) => e.method)])).toEqual([
      ['jobs', ['put', 'delete']],
      ['other', ['get']],
    ])
    const put = groups[0][1][0]
    expect(put.op.parameters?.map((p) => p.name)).toEqual(['id', 'body'])
    expect(requestSchema(put.op)?.$ref).toBe('#/definitions/pkg_api.UpdateJobRequest')
    expect(responseSchema(put.op.responses!['200'])?.$ref).toBe('#/definitions/store.Job')
    expect(Object.keys(schemasOf(swagger2))).toEqual(['store.Job'])
  })

  it('reads OpenAPI 3 request bodies, responses and component schemas', () => {
    const [[tag, [ep]]] = endpointsByTag(openapi3)
    expect(tag).toBe('Groups')
    expect(requestSchema(ep.op)?.$ref).toBe('#/components/schemas/AddJobRequest')
    expect(responseSchema(ep.op.responses!['201'])?.$ref).toBe('#/components/schemas/Job')
    expect(Object.keys(schemasOf(openapi3))).toEqual(['Job'])
  })

  it('shortens Go package-qualified schema names', () => {
    expect(refName('#/definitions/github_com_x_pkg_store.Job')).toBe('github_com_x_pkg_store.Job')
    expect(shortName('github_com_x_pkg_store.Job')).toBe('Job')
  })
})
