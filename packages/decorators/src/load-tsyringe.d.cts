/** tsyringe, or undefined when it is not installed (any other failure to load it is thrown). */
export declare function loadTsyringe(): unknown;
