// A Nest app in plain JavaScript (no decorator syntax: Nest's decorators and @HaltStateGuard are
// applied by hand), given the modules it uses, so app.cjs (require) and app.mjs (import) share it.
module.exports = function defineApp(nest, haltstate, options) {
  const { Controller, Inject, Injectable, Module, Param, Post, UseFilters } = nest;
  const { HaltStateExceptionFilter, HaltStateGuard, HaltStateModule } = haltstate;
  const method = (type, key, ...decorators) => {
    const descriptor = Object.getOwnPropertyDescriptor(type.prototype, key);
    for (const decorate of decorators) decorate(type.prototype, key, descriptor);
    Object.defineProperty(type.prototype, key, descriptor);
  };

  class PaymentsService {
    async pay(invoiceId, amount) {
      return { paid: invoiceId, amount };
    }
  }
  method(PaymentsService, 'pay', HaltStateGuard({ action: 'payment.process', params: (invoiceId, amount) => ({ invoiceId, amount }) }));
  Injectable()(PaymentsService);

  class PaymentsController {
    constructor(payments) {
      this.payments = payments;
    }
    pay(invoiceId, amount) {
      return this.payments.pay(invoiceId, Number(amount));
    }
  }
  Inject(PaymentsService)(PaymentsController, undefined, 0);
  Param('invoiceId')(PaymentsController.prototype, 'pay', 0);
  Param('amount')(PaymentsController.prototype, 'pay', 1);
  method(PaymentsController, 'pay', Post(':invoiceId/:amount'));
  Controller('payments')(PaymentsController);
  UseFilters(HaltStateExceptionFilter)(PaymentsController);

  class AppModule {}
  Module({ imports: [HaltStateModule.forRoot(options)], controllers: [PaymentsController], providers: [PaymentsService] })(AppModule);
  return AppModule;
};
