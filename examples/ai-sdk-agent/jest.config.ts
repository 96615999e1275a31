import preset from '../../jest.preset.cjs';

export default preset('ai-sdk-agent', 'examples');
